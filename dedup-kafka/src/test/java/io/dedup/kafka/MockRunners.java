package io.dedup.kafka;

import io.dedup.spi.DedupStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The runner unit tests' set-up: a runner over a {@link MockConsumer} reading topic {@code orders} as group
 * {@code g} (so keys live in namespace {@code g}), with String keys and values, and the dedup settings they vary.
 */
final class MockRunners {
    private MockRunners() {}

    /** A runner and the mock consumer under it. */
    record Started(KafkaDedupRunner<String, String> runner, MockConsumer<byte[], byte[]> consumer) {
        /**
         * Hands the consumer the records of {@code log} it would fetch now, as a broker would after seeks: those of an
         * assigned partition at or after its position. MockConsumer forgets records once it returned them, so a test
         * that polls again, or starts another consumer, feeds the same log again.
         */
        void feed(List<ConsumerRecord<byte[], byte[]>> log) {
            for (ConsumerRecord<byte[], byte[]> record : log) {
                TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                if (consumer.assignment().contains(partition) && record.offset() >= consumer.position(partition)) {
                    consumer.addRecord(record);
                }
            }
        }
    }

    /**
     * A subscribed runner in the Kafka-to-database mode over {@code consumer}: store back-off {@code backoff},
     * doubled up to twice that; orders-0 and orders-1 begin at offset 0, and {@code assigned} of them are assigned.
     */
    static Started startTransactional(
            MockConsumer<byte[], byte[]> consumer,
            KafkaDedup.Builder dedup,
            Duration backoff,
            TransactionalRecordHandler<String, String> handler,
            List<TopicPartition> assigned) {
        KafkaDedupRunner<String, String> runner = builder(consumer)
                .dedup(dedup)
                .storeBackoff(backoff, backoff.multipliedBy(2))
                .transactionalStore(handler)
                .build();
        runner.subscribe();
        consumer.updateBeginningOffsets(
                Map.of(new TopicPartition("orders", 0), 0L, new TopicPartition("orders", 1), 0L));
        consumer.rebalance(assigned);
        return new Started(runner, consumer);
    }

    /** A runner builder over {@code consumer}; the caller adds the dedup, the handler and any backoff. */
    static KafkaDedupRunnerBuilder<String, String> builder(MockConsumer<byte[], byte[]> consumer) {
        return KafkaDedupRunner.builder(Map.of("group.id", "g"), new StringDeserializer(), new StringDeserializer())
                .consumer(consumer)
                .topics("orders");
    }

    /** Dedup over {@code store} that tries a record {@code attempts} times {@code backoff} apart, then dead-letters it. */
    static KafkaDedup.Builder dedup(DedupStore store, int attempts, Duration backoff, DeadLetterPublisher deadLetters) {
        return KafkaDedup.builder()
                .store(store)
                .retries(attempts, backoff, backoff)
                .deadLetters(deadLetters);
    }
}
