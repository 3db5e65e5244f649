package io.dedup.kafka;

import static io.dedup.kafka.Kafka.message;
import static org.assertj.core.api.Assertions.assertThat;

import io.dedup.memory.InMemoryDedupStore;
import io.dedup.spi.DedupStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/** An application's own poll loop with {@link KafkaDedup#process}, against a real broker. */
class OwnPollLoopBrokerTest {
    private final DedupStore store = InMemoryDedupStore.create();
    private final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();

    @Test
    void a_consumer_closed_mid_batch_without_committing_is_taken_over_without_rerunning_completed_keys() {
        String topic = Kafka.topic("takeover", 2);
        String group = Kafka.unique("group");
        List<ProducerRecord<String, String>> records = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            records.add(message(topic, i % 2, "k" + i, "v" + i));
        }
        Kafka.send(records);
        io.dedup.MessageHandler<ConsumerRecord<String, String>> handler = record -> runs.computeIfAbsent(
                        Kafka.header(record, RecordKeys.DEFAULT_HEADER), k -> new AtomicInteger())
                .incrementAndGet();

        try (KafkaDedup dedup = KafkaDedup.builder().store(store).groupId(group).build()) {
            // The first consumer handles half of what it polled, then dies before any commit.
            try (KafkaConsumer<String, String> first = consumer(group)) {
                List<ConsumerRecord<String, String>> polled = pollAtLeast(first, topic, 40);
                PollOutcome half = dedup.process(polled.subList(0, 20), handler);
                assertThat(half.allDone()).isTrue();
            }
            assertThat(Kafka.committed(group, topic)).isEmpty();
            assertThat(runs).hasSize(20);

            // The second consumer gets everything again: the completed half are duplicates.
            try (KafkaConsumer<String, String> second = consumer(group)) {
                List<ConsumerRecord<String, String>> polled = pollAtLeast(second, topic, 40);
                PollOutcome outcome = dedup.process(polled, handler);
                assertThat(outcome.count(RecordStatus.DUPLICATE)).isEqualTo(20);
                assertThat(outcome.count(RecordStatus.PROCESSED)).isEqualTo(20);
                second.commitSync(outcome.offsetsToCommit());
            }
        }
        assertThat(runs).hasSize(40).allSatisfy((key, count) -> assertThat(count.get())
                .isOne());
        assertThat(Kafka.committed(group, topic))
                .containsEntry(new TopicPartition(topic, 0), 20L)
                .containsEntry(new TopicPartition(topic, 1), 20L);
    }

    private static KafkaConsumer<String, String> consumer(String group) {
        Map<String, Object> config = Kafka.consumerConfig(group);
        config.put("max.poll.records", 100);
        return new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer());
    }

    private static List<ConsumerRecord<String, String>> pollAtLeast(
            KafkaConsumer<String, String> consumer, String topic, int n) {
        consumer.subscribe(List.of(topic));
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (records.size() < n && System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(200)).forEach(records::add);
        }
        assertThat(records).hasSize(n);
        return records;
    }
}
