package io.dedup.spring.kafka;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerInterceptor;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * Every offset a test application's consumers committed, as the highest per topic-partition: a commit past a record
 * can be followed by a lower one (a {@code nack} commits the records before its index again), so the offset the
 * group holds at the end does not show that the record was committed in between, when a crash would have lost it.
 * Kafka creates it from {@code interceptor.classes}, hence public. Thread-safe.
 */
public final class CommitLog implements ConsumerInterceptor<Object, Object> {
    private static final Map<TopicPartition, Long> HIGHEST = new ConcurrentHashMap<>();

    /** Makes every consumer of the test application report its commits here. */
    static void install(DynamicPropertyRegistry registry) {
        registry.add("spring.kafka.consumer.properties.interceptor.classes", CommitLog.class::getName);
    }

    /** The highest offset committed on partition 0 of {@code topic} so far, or -1 for none. */
    static long highest(String topic) {
        return HIGHEST.getOrDefault(new TopicPartition(topic, 0), -1L);
    }

    @Override
    public void onCommit(Map<TopicPartition, OffsetAndMetadata> offsets) {
        offsets.forEach((partition, offset) -> HIGHEST.merge(partition, offset.offset(), Math::max));
    }

    @Override
    public ConsumerRecords<Object, Object> onConsume(ConsumerRecords<Object, Object> records) {
        return records;
    }

    @Override
    public void close() {}

    @Override
    public void configure(Map<String, ?> configs) {}
}
