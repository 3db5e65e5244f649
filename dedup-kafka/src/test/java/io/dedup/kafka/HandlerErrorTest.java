package io.dedup.kafka;

import static io.dedup.kafka.Records.raw;
import static io.dedup.kafka.Records.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dedup.DedupKey;
import io.dedup.kafka.internal.KafkaTransactionMode;
import io.dedup.memory.InMemoryDedupStore;
import io.dedup.spi.RecordState;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A handler that throws an {@link Error} (not an {@code Exception}) in the leased mode, the Kafka-transaction mode
 * and a wrapped batch handler: no key is left in progress, no transaction open, no thread dead, no finished handler
 * runs twice, and the record takes the failure path. The database mode is in {@link StoreTransactionCloseTest}.
 */
class HandlerErrorTest {
    private static final TopicPartition P0 = new TopicPartition("orders", 0);
    private static final TopicPartition P1 = new TopicPartition("orders", 1);

    private final InMemoryDedupStore store = InMemoryDedupStore.create();
    private final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
    private final List<DeadLetter> published = new CopyOnWriteArrayList<>();
    private KafkaDedupRunner<?, ?> runner;

    @AfterEach
    void close() {
        if (runner != null) {
            runner.close();
        }
    }

    private int ran(String value) {
        return runs.computeIfAbsent(value, v -> new AtomicInteger()).incrementAndGet();
    }

    private RecordState state(String key) {
        return store.find(DedupKey.of("g", key)).map(r -> r.state()).orElse(null);
    }

    @Test
    void leased_an_error_keeps_finished_work_releases_its_key_and_the_runner_retries_the_record() {
        MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
        KafkaDedupRunner<String, String> leased = MockRunners.builder(consumer)
                .dedup(MockRunners.dedup(store, 3, Duration.ofMillis(20), published::addAll))
                .handler(record -> {
                    if (ran(record.value()) == 1 && record.value().equals("boom")) {
                        throw new StackOverflowError("a handler Error");
                    }
                })
                .build();
        runner = leased;
        leased.subscribe();
        consumer.rebalance(List.of(P0, P1));
        consumer.updateBeginningOffsets(Map.of(P0, 0L, P1, 0L));
        var log = List.of(
                raw("orders", 0, 0, "a", "a"), raw("orders", 0, 1, "boom", "boom"), raw("orders", 1, 0, "c", "c"));
        log.forEach(consumer::addRecord);
        leased.pollOnce();
        assertThat(state("a")).isEqualTo(RecordState.COMPLETED); // finished before the Error: kept
        assertThat(state("c")).isEqualTo(RecordState.COMPLETED);
        assertThat(state("boom")).isEqualTo(RecordState.RELEASED);
        assertThat(consumer.committed(java.util.Set.of(P0)).get(P0).offset()).isEqualTo(1);

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (state("boom") != RecordState.COMPLETED && System.nanoTime() < deadline) {
            for (var record : log) {
                TopicPartition p = new TopicPartition(record.topic(), record.partition());
                if (record.offset() >= consumer.position(p)) {
                    consumer.addRecord(record);
                }
            }
            leased.pollOnce(); // the same runner and handler thread go on
        }
        assertThat(state("boom")).isEqualTo(RecordState.COMPLETED);
        assertThat(runs).containsOnlyKeys("a", "boom", "c");
        assertThat(runs.get("a")).hasValue(1);
        assertThat(runs.get("c")).hasValue(1);
        assertThat(runs.get("boom")).hasValue(2);
        assertThat(published).isEmpty();
    }

    @Test
    void kafka_transaction_an_error_aborts_the_transaction_releases_every_key_and_the_record_is_retried() {
        MockProducer<byte[], byte[]> producer =
                new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
        KafkaDedup dedup = KafkaDedup.builder()
                .store(store)
                .groupId("g")
                .retries(3, Duration.ofMillis(20), Duration.ofMillis(20))
                .build();
        ProducingHandler<String, String, String, String> handler = (record, sink) -> {
            sink.send(new ProducerRecord<>("out", record.key(), record.value()));
            if (ran(record.value()) == 1 && record.value().equals("boom")) {
                throw new AssertionError("a handler Error after sending output");
            }
        };
        try (KafkaTransactionMode<String, String, String, String> mode = new KafkaTransactionMode<>(
                dedup.context(),
                new StringDeserializer(),
                new StringDeserializer(),
                new StringSerializer(),
                new StringSerializer(),
                handler,
                producer)) {
            List<ConsumerRecord<byte[], byte[]>> poll = List.of(
                    raw("orders", 0, 0, "a", "a"), raw("orders", 0, 1, "boom", "boom"), raw("orders", 1, 0, "c", "c"));
            PollOutcome first = mode.process(poll, p -> true, new ConsumerGroupMetadata("g"));
            assertThat(first.records())
                    .extracting(RecordOutcome::status)
                    .containsExactly(RecordStatus.PROCESSED, RecordStatus.RETRY, RecordStatus.NOT_STARTED);
            assertThat(producer.transactionInFlight()).isFalse();
            assertThat(state("a")).isEqualTo(RecordState.COMPLETED);
            assertThat(state("boom")).isEqualTo(RecordState.RELEASED);
            assertThat(state("c")).isNotEqualTo(RecordState.IN_PROGRESS);

            PollOutcome second = mode.process(poll.subList(1, 3), p -> true, new ConsumerGroupMetadata("g"));
            assertThat(second.allDone()).isTrue();
            assertThat(producer.transactionInFlight()).isFalse();
            assertThat(producer.history())
                    .extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
                    .containsExactlyInAnyOrder("a", "boom", "c"); // the aborted output is gone, each once
            assertThat(state("boom")).isEqualTo(RecordState.COMPLETED);
            assertThat(state("c")).isEqualTo(RecordState.COMPLETED);
        }
    }

    @Test
    void wrapped_batch_an_error_passes_through_unchanged_and_gives_every_key_back() throws Exception {
        KafkaDedup dedup = KafkaDedup.builder().store(store).groupId("g").build();
        AtomicInteger calls = new AtomicInteger();
        AssertionError error = new AssertionError("a batch handler Error");
        BatchHandler<String, String> safe = dedup.wrapBatch(records -> {
            if (calls.incrementAndGet() == 1) {
                throw error;
            }
            records.forEach(r -> ran(r.value()));
        });
        List<ConsumerRecord<String, String>> batch =
                List.of(record("orders", 0, 0, "a", "a"), record("orders", 0, 1, "b", "b"));
        assertThatThrownBy(() -> safe.handle(batch)).isSameAs(error);
        assertThat(state("a")).isEqualTo(RecordState.RELEASED);
        assertThat(state("b")).isEqualTo(RecordState.RELEASED);

        safe.handle(batch);
        safe.handle(batch);
        assertThat(state("a")).isEqualTo(RecordState.COMPLETED);
        assertThat(runs.get("a")).hasValue(1);
        assertThat(runs.get("b")).hasValue(1);
    }
}
