package io.dedup.kafka;

import static io.dedup.kafka.Records.raw;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dedup.DeadLetterReason;
import io.dedup.testkit.FaultInjectingStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The runner's bookkeeping against Kafka's MockConsumer; the real broker is in the integration tests. */
class KafkaDedupRunnerTest {
    private static final TopicPartition P0 = new TopicPartition("orders", 0);
    private static final TopicPartition P1 = new TopicPartition("orders", 1);

    private final MockConsumer<byte[], byte[]> consumer =
            new MockConsumer<>(org.apache.kafka.clients.consumer.OffsetResetStrategy.EARLIEST); // 3.x and 4.x
    private final FaultInjectingStore store = FaultInjectingStore.inMemory();
    private final List<DeadLetter> published = new CopyOnWriteArrayList<>();
    private final List<String> handled = new CopyOnWriteArrayList<>();
    private KafkaDedupRunner<?, ?> runner;

    private KafkaDedupRunner<String, String> runner(io.dedup.MessageHandler<ConsumerRecord<String, String>> handler) {
        KafkaDedupRunner<String, String> runner = MockRunners.builder(consumer)
                .dedup(MockRunners.dedup(store, 3, Duration.ofMillis(40), published::addAll)
                        .deferBackoff(Duration.ofMillis(40)))
                .storeBackoff(Duration.ofMillis(40), Duration.ofMillis(80))
                .handler(handler)
                .build();
        runner.subscribe();
        consumer.rebalance(List.of(P0, P1));
        consumer.updateBeginningOffsets(Map.of(P0, 0L, P1, 0L));
        this.runner = runner;
        return runner;
    }

    @AfterEach
    void close() {
        if (runner != null) {
            runner.close();
        }
    }

    private Map<TopicPartition, OffsetAndMetadata> committed() {
        return consumer.committed(Set.of(P0, P1));
    }

    @Test
    void commits_the_contiguous_watermark_and_rewinds_and_pauses_a_partition_whose_record_failed() {
        AtomicInteger failures = new AtomicInteger();
        runner(r -> {
            if (r.value().equals("flaky") && failures.getAndIncrement() == 0) {
                throw new IllegalStateException("first attempt fails");
            }
            handled.add(r.value());
        });
        consumer.addRecord(raw("orders", 0, 0, "a", "a"));
        consumer.addRecord(raw("orders", 0, 1, "f", "flaky"));
        consumer.addRecord(raw("orders", 0, 2, "b", "b"));
        consumer.addRecord(raw("orders", 1, 0, "c", "c"));
        runner.pollOnce();

        assertThat(handled).containsExactly("a", "c");
        assertThat(committed().get(P0).offset()).isEqualTo(1);
        assertThat(committed().get(P1).offset()).isEqualTo(1);
        assertThat(consumer.position(P0)).isEqualTo(1);
        assertThat(consumer.paused()).containsExactly(P0);

        consumer.addRecord(raw("orders", 0, 1, "f", "flaky")); // the redelivery after the rewind
        consumer.addRecord(raw("orders", 0, 2, "b", "b"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (handled.size() < 4 && System.nanoTime() < deadline) {
            runner.pollOnce(); // resumes P0 once its back-off is over
        }
        assertThat(handled).containsExactly("a", "c", "flaky", "b");
        assertThat(committed().get(P0).offset()).isEqualTo(3);
        assertThat(consumer.paused()).isEmpty();
    }

    @Test
    void a_store_outage_pauses_every_partition_and_commits_nothing_until_it_is_over() {
        runner(r -> handled.add(r.value()));
        store.down(true);
        consumer.addRecord(raw("orders", 0, 0, "a", "a"));
        consumer.addRecord(raw("orders", 1, 0, "b", "b"));
        runner.pollOnce();
        assertThat(consumer.paused()).containsExactlyInAnyOrder(P0, P1);
        assertThat(committed()).isEmpty();
        assertThat(handled).isEmpty();
        assertThat(consumer.position(P0)).isZero();

        store.down(false);
        consumer.addRecord(raw("orders", 0, 0, "a", "a"));
        consumer.addRecord(raw("orders", 1, 0, "b", "b"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (handled.size() < 2 && System.nanoTime() < deadline) {
            runner.pollOnce();
        }
        assertThat(handled).containsExactlyInAnyOrder("a", "b");
        assertThat(committed().get(P0).offset()).isEqualTo(1);
        assertThat(committed().get(P1).offset()).isEqualTo(1);
    }

    @Test
    void undeserializable_records_go_to_the_dead_letter_topic_with_their_raw_bytes() {
        runner = KafkaDedupRunner.builder(Map.of("group.id", "g"), new StringDeserializer(), (topic, data) -> {
                    if (data.length > 0 && data[0] == '!') {
                        throw new org.apache.kafka.common.errors.SerializationException("not a number");
                    }
                    return Integer.valueOf(new String(data, java.nio.charset.StandardCharsets.UTF_8));
                })
                .consumer(consumer)
                .topics("orders")
                .dedup(KafkaDedup.builder().store(store).deadLetters(published::addAll))
                .handler(r -> handled.add(String.valueOf(r.value() + 1)))
                .build();
        runner.subscribe();
        consumer.rebalance(List.of(P0));
        consumer.updateBeginningOffsets(Map.of(P0, 0L));
        consumer.addRecord(raw("orders", 0, 0, "a", "41"));
        consumer.addRecord(raw("orders", 0, 1, "b", "!x"));
        runner.pollOnce();
        assertThat(handled).containsExactly("42");
        assertThat(published).singleElement().satisfies(d -> {
            assertThat(d.reason()).isEqualTo(DeadLetterReason.DESERIALIZATION_FAILED);
            assertThat((byte[]) d.record().value()).asString().isEqualTo("!x");
        });
        assertThat(committed().get(P0).offset()).isEqualTo(2);
    }

    @Test
    void revoking_a_partition_mid_batch_commits_what_is_done_and_releases_the_rest() throws Exception {
        CountDownLatch inHandler = new CountDownLatch(1);
        CountDownLatch proceed = new CountDownLatch(1);
        runner(r -> {
            if (r.value().equals("slow")) {
                inHandler.countDown();
                proceed.await();
            }
            handled.add(r.value());
        });
        consumer.addRecord(raw("orders", 0, 0, "s", "slow"));
        consumer.addRecord(raw("orders", 0, 1, "n", "not started"));
        consumer.addRecord(raw("orders", 1, 0, "x", "x"));
        Thread loop = new Thread(runner::pollOnce);
        loop.start();
        assertThat(inHandler.await(5, TimeUnit.SECONDS)).isTrue();
        // the rebalance runs on the poll thread inside its keep-alive poll
        KafkaDedupRunner<?, ?> started = runner;
        consumer.schedulePollTask(() -> {
            Thread release = new Thread(() -> {
                await().atMost(Duration.ofSeconds(5)).until(() -> started.isRevoking(P0));
                proceed.countDown(); // the slow handler returns once P0 is being revoked
            });
            release.start();
            consumer.rebalance(List.of(P1)); // waits in onPartitionsRevoked for the batch
        });
        loop.join(10_000);
        assertThat(loop.isAlive()).isFalse();
        assertThat(handled).containsExactly("slow", "x").doesNotContain("not started");
        assertThat(consumer.assignment()).containsExactly(P1);
        assertThat(store.find(io.dedup.DedupKey.of("g", "n"))).get().satisfies(r -> assertThat(r.state())
                .isEqualTo(io.dedup.spi.RecordState.RELEASED));
    }

    @Test
    void close_from_the_handler_finishes_the_batch_and_stops_the_loop() throws Exception {
        runner(r -> {
            handled.add(r.value());
            runner.close();
        });
        consumer.addRecord(raw("orders", 0, 0, "a", "a"));
        consumer.addRecord(raw("orders", 0, 1, "b", "b"));
        Thread thread = runner.start();
        thread.join(10_000);
        assertThat(thread.isAlive()).isFalse();
        assertThat(handled).containsExactly("a");
        assertThat(consumer.closed()).isTrue();
    }

    @Test
    void the_builder_refuses_auto_commit_and_a_missing_group() {
        assertThatThrownBy(() -> KafkaDedupRunner.builder(
                                Map.of("enable.auto.commit", "true", "group.id", "g"),
                                new StringDeserializer(),
                                new StringDeserializer())
                        .topics("t")
                        .consumer(consumer)
                        .handler(r -> {})
                        .build())
                .hasMessageContaining("enable.auto.commit");
        assertThatThrownBy(() -> KafkaDedupRunner.builder(Map.of(), new StringDeserializer(), new StringDeserializer())
                        .topics("t")
                        .consumer(consumer)
                        .handler(r -> {})
                        .build())
                .hasMessageContaining("group.id");
    }

    @Test
    void the_transactional_producer_mode_refuses_dead_letter_settings_it_would_not_use() {
        // that mode's dead letters commit with its output and offsets, through its own producer
        assertThatThrownBy(() -> transactionalProducerRunner()
                        .dedup(MockRunners.dedup(store, 3, Duration.ofMillis(40), published::addAll))
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("KafkaDedup.Builder.deadLetters(...)");
        assertThatThrownBy(() -> transactionalProducerRunner()
                        .deadLetterProducerConfig(Map.of("acks", "all"))
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("deadLetterProducerConfig(...)");
    }

    @Test
    void a_dead_letter_producer_config_next_to_a_dead_letter_publisher_is_refused() {
        // the runner makes no producer when a publisher sends the dead letters: the config would be dropped
        assertThatThrownBy(() -> KafkaDedupRunner.builder(
                                Map.of("group.id", "g"), new StringDeserializer(), new StringDeserializer())
                        .topics("t")
                        .consumer(consumer)
                        .dedup(MockRunners.dedup(store, 3, Duration.ofMillis(40), published::addAll))
                        .deadLetterProducerConfig(Map.of("acks", "all"))
                        .handler(r -> {})
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a DeadLetterPublisher was set");
    }

    private KafkaDedupRunnerBuilder<String, String> transactionalProducerRunner() {
        return KafkaDedupRunner.builder(Map.of("group.id", "g"), new StringDeserializer(), new StringDeserializer())
                .topics("t")
                .consumer(consumer)
                .transactionalProducer(
                        Map.of("transactional.id", "tx"),
                        new StringSerializer(),
                        new StringSerializer(),
                        (record, sink) -> {});
    }
}
