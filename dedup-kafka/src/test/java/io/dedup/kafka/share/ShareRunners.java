package io.dedup.kafka.share;

import io.dedup.spi.DedupStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The share runners one broker test starts, all counting into one meter registry, and closed together when the test
 * ends. Also the few steps every share broker test repeats: a configured group, keyed messages, effects counted per
 * value.
 */
final class ShareRunners implements AutoCloseable {
    private final List<KafkaShareDedupRunner<String, String>> runners = new ArrayList<>();
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    /** A builder over {@code store} with string keys and a short poll timeout, counting into {@link #registry}. */
    KafkaShareDedupRunnerBuilder<String, String> builder(
            String group, String topic, DedupStore store, Deserializer<String> values) {
        return KafkaShareDedupRunner.builder(ShareKafka.consumerConfig(group), new StringDeserializer(), values)
                .topics(topic)
                .store(store)
                .meterRegistry(registry)
                .pollTimeout(Duration.ofMillis(200));
    }

    /** Builds and starts a runner; it is closed with this fixture. */
    KafkaShareDedupRunner<String, String> start(KafkaShareDedupRunnerBuilder<String, String> builder) {
        KafkaShareDedupRunner<String, String> runner = builder.build();
        runners.add(runner);
        runner.start();
        return runner;
    }

    /** The sum of the runners' acknowledgement counter for {@code type}. */
    double acks(String type) {
        return ShareKafka.acks(registry, type);
    }

    @Override
    public void close() {
        runners.forEach(KafkaShareDedupRunner::close);
    }

    /** A new share group with the given acquisition lock, lock renewal and delivery limit. */
    static String group(Duration lock, boolean renew, int deliveryLimit) throws Exception {
        String group = ShareKafka.unique("share-group");
        ShareKafka.configureGroup(group, lock, renew, deliveryLimit);
        return group;
    }

    /** {@code count} messages on partition 0 of {@code topic}, {@code key-<i>} as both key and value. */
    static List<ProducerRecord<String, String>> keyed(String topic, int count) {
        List<ProducerRecord<String, String>> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            records.add(ShareKafka.message(topic, 0, "key-" + i, "key-" + i));
        }
        return records;
    }

    /** Counts one effect of {@code record}'s value; a value counted twice ran twice. */
    static void count(Map<String, AtomicInteger> effects, ConsumerRecord<String, String> record) {
        effects.computeIfAbsent(record.value(), k -> new AtomicInteger()).incrementAndGet();
    }

    /** A map for {@link #count}, safe for handlers on several runners' threads. */
    static Map<String, AtomicInteger> effects() {
        return new ConcurrentHashMap<>();
    }
}
