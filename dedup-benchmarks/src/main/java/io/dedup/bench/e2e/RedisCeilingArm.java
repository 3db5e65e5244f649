package io.dedup.bench.e2e;

import io.lettuce.core.RedisFuture;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * The physical reference for {@code dedup-redis}: what Redis and Lettuce can do per poll at the least, with no
 * fencing, no outcome, no scripts. A plain poll loop; per poll of up to {@value ArmRun#MAX_POLL_RECORDS} records
 * (the batch the store gets from the runner), one pipelined write of {@code SET key 1 NX PXAT} per record, the
 * handler for each record that {@code SET} created, then one pipelined write of {@code SET key S XX PXAT} per
 * handled record, then {@code commitAsync}. Same expiry as the runner's defaults (lease 30 s, retention 24 h), on
 * the benchmark's counted Lettuce client. Not thread-safe; one run at a time.
 */
public final class RedisCeilingArm implements Arm {
    private static final Duration POLL = Duration.ofMillis(100);
    private static final long LEASE_MILLIS = Duration.ofSeconds(30).toMillis();
    private static final long RETENTION_MILLIS = Duration.ofHours(24).toMillis();
    private static final byte[] CLAIMED = {'1'};
    private static final byte[] DONE = {'S'};

    private StatefulRedisConnection<byte[], byte[]> connection;

    @Override
    public String name() {
        return "redis-ceiling";
    }

    @Override
    public StoreKind store() {
        return StoreKind.REDIS;
    }

    @Override
    public String broker() {
        return "kafka";
    }

    @Override
    public void setUp(ArmRun run) {
        connection = run.services().redisClient().connect(ByteArrayCodec.INSTANCE);
        connection.setAutoFlushCommands(false);
    }

    @Override
    public void consume(ArmRun run) throws Exception {
        Map<String, Object> config = run.consumerConfig();
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        Progress progress = run.progress();
        BenchHandler handler = run.handler();
        StoreTimings timings = run.storeTimings();
        RedisAsyncCommands<byte[], byte[]> redis = connection.async();
        String prefix = prefix(run);
        long deadline = System.nanoTime() + run.timeout().toNanos();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
            consumer.subscribe(List.of(run.topic()));
            while (progress.deliveredCount() < progress.expected()) {
                if (System.nanoTime() > deadline) {
                    break;
                }
                ConsumerRecords<String, String> records = consumer.poll(POLL);
                if (records.isEmpty()) {
                    continue;
                }
                progress.started();
                List<ConsumerRecord<String, String>> polled = new ArrayList<>(records.count());
                List<byte[]> keys = new ArrayList<>(records.count());
                for (ConsumerRecord<String, String> record : records) {
                    polled.add(record);
                    keys.add((prefix + KafkaRecords.key(record)).getBytes(StandardCharsets.UTF_8));
                }
                long start = System.nanoTime();
                SetArgs claim = SetArgs.Builder.nx().pxAt(System.currentTimeMillis() + LEASE_MILLIS);
                List<RedisFuture<String>> claims = new ArrayList<>(keys.size());
                for (byte[] key : keys) {
                    claims.add(redis.set(key, CLAIMED, claim));
                }
                connection.flushCommands();
                boolean[] acquired = new boolean[keys.size()];
                for (int i = 0; i < keys.size(); i++) {
                    acquired[i] = "OK".equals(claims.get(i).get(run.timeout().toNanos(), TimeUnit.NANOSECONDS));
                }
                long claimNanos = System.nanoTime() - start;
                timings.call();
                List<byte[]> handled = new ArrayList<>(keys.size());
                for (int i = 0; i < keys.size(); i++) {
                    if (acquired[i]) {
                        handler.handle(
                                KafkaRecords.key(polled.get(i)), polled.get(i).value());
                        handled.add(keys.get(i));
                    }
                }
                long completeNanos = 0;
                if (!handled.isEmpty()) {
                    start = System.nanoTime();
                    SetArgs done = SetArgs.Builder.xx().pxAt(System.currentTimeMillis() + RETENTION_MILLIS);
                    List<RedisFuture<String>> completions = new ArrayList<>(handled.size());
                    for (byte[] key : handled) {
                        completions.add(redis.set(key, DONE, done));
                    }
                    connection.flushCommands();
                    for (RedisFuture<String> completion : completions) {
                        completion.get(run.timeout().toNanos(), TimeUnit.NANOSECONDS);
                    }
                    completeNanos = System.nanoTime() - start;
                    timings.call();
                }
                for (int i = 0; i < keys.size(); i++) {
                    timings.message(claimNanos + (acquired[i] ? completeNanos : 0));
                }
                progress.delivered(keys.size());
                consumer.commitAsync();
            }
            progress.awaitAll(Duration.ofMillis(1)); // throws if the deadline stopped the loop
            consumer.commitSync();
        }
    }

    @Override
    public void tearDown(ArmRun run) {
        StatefulRedisConnection<byte[], byte[]> open = connection;
        connection = null;
        try {
            if (open != null) {
                open.close();
            }
        } finally {
            run.services().deleteRedisKeys(prefix(run));
        }
    }

    private static String prefix(ArmRun run) {
        return "bench:" + run.runId() + ":";
    }
}
