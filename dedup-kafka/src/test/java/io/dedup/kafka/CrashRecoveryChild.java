package io.dedup.kafka;

import io.dedup.redis.RedisDedupStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * TEST ONLY: a leased runner on the Redis store in a child JVM, for {@link CrashRecoveryBrokerTest} to kill with
 * SIGKILL. Prints {@code started}, then {@code ran <key>} for every handler run; stops when its stdin closes.
 * Arguments: bootstrap servers, topic, group, Redis URI, Redis key prefix, handler time in milliseconds.
 */
public final class CrashRecoveryChild {
    private CrashRecoveryChild() {}

    public static void main(String[] args) throws IOException {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, args[2]);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 100);
        // the settings docs/operations.md recommends for a fast recovery (classic protocol)
        config.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
        config.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 1_000);
        long work = Long.parseLong(args[5]);
        RedisDedupStore store =
                RedisDedupStore.builder(args[3]).keyPrefix(args[4]).build();
        KafkaDedupRunner<String, String> runner = KafkaDedupRunner.builder(
                        config, new StringDeserializer(), new StringDeserializer())
                .topics(args[1])
                .dedup(KafkaDedup.builder().store(store)) // the default lease, 30 s
                .handler(record -> {
                    Thread.sleep(work);
                    var key = record.headers().lastHeader(RecordKeys.DEFAULT_HEADER);
                    System.out.println("ran " + new String(key.value(), StandardCharsets.UTF_8));
                })
                .build();
        runner.start();
        System.out.println("started");
        while (System.in.read() >= 0) {
            // until the test closes stdin
        }
        runner.close();
        store.close();
    }
}
