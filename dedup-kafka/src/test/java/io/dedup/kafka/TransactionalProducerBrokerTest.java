package io.dedup.kafka;

import static io.dedup.kafka.Kafka.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dedup.memory.InMemoryDedupStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** Kafka to Kafka with the transactional producer, against a real broker. */
class TransactionalProducerBrokerTest {
    @Test
    void output_offsets_and_dead_letters_commit_together_once_per_key_and_an_aborted_attempt_leaves_nothing() {
        String in = Kafka.topic("tx-in", 2);
        String out = Kafka.topic("tx-out", 2);
        String group = Kafka.unique("group");
        List<ProducerRecord<String, String>> records = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            records.add(message(in, i % 2, "k" + (i % 20), "v" + (i % 20)));
        }
        records.add(message(in, 0, "flaky", "fails once"));
        records.add(message(in, 1, null, "no key"));
        Kafka.send(records);

        AtomicInteger flakyAttempts = new AtomicInteger();
        KafkaDedupRunner<String, String> runner = KafkaDedupRunner.builder(
                        Kafka.consumerConfig(group), new StringDeserializer(), new StringDeserializer())
                .topics(in)
                .dedup(KafkaDedup.builder()
                        .store(InMemoryDedupStore.create())
                        .retries(3, Duration.ofMillis(50), Duration.ofMillis(100)))
                .transactionalProducer(
                        Map.of(
                                ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                                Kafka.unique("tx"),
                                ProducerConfig.TRANSACTION_TIMEOUT_CONFIG,
                                10_000),
                        new StringSerializer(),
                        new StringSerializer(),
                        (ConsumerRecord<String, String> record, RecordSink<String, String> sink) -> {
                            sink.send(new ProducerRecord<>(
                                    out, record.key(), record.value().toUpperCase(Locale.ROOT)));
                            if (record.value().equals("fails once") && flakyAttempts.getAndIncrement() == 0) {
                                throw new IllegalStateException("first attempt fails after sending its output");
                            }
                        })
                .build();
        try (runner) {
            runner.start();
            Map<?, Long> end = Kafka.endOffsets(in);
            await().atMost(Duration.ofSeconds(60))
                    .untilAsserted(() -> assertThat(Kafka.committed(group, in)).isEqualTo(end));
        }

        List<ConsumerRecord<String, String>> committed = Kafka.readToEnd(out, true);
        assertThat(committed).hasSize(21); // 20 keys and the flaky one, each once
        assertThat(committed)
                .extracting(ConsumerRecord::value)
                .doesNotHaveDuplicates()
                .contains("V0", "FAILS ONCE");
        assertThat(flakyAttempts).hasValue(2); // its first output was aborted with its transaction: seen once above

        List<ConsumerRecord<String, String>> dead = Kafka.readToEnd(in + ".DLT", true);
        assertThat(dead).singleElement().satisfies(d -> {
            assertThat(d.value()).isEqualTo("no key");
            assertThat(Kafka.header(d, DeadLetterHeaders.REASON)).isEqualTo("KEY_MISSING");
        });
    }

    @Test
    void a_restarted_instance_with_the_same_transactional_id_fences_its_predecessor_and_nothing_doubles()
            throws Exception {
        String in = Kafka.topic("fence-in", 1);
        String out = Kafka.topic("fence-out", 1);
        String group = Kafka.unique("group");
        String transactionalId = Kafka.unique("tx");
        List<ProducerRecord<String, String>> records = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            records.add(message(in, 0, "k" + i, "v" + i));
        }
        Kafka.send(records);
        java.util.concurrent.CountDownLatch zombieStuck = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch releaseZombie = new java.util.concurrent.CountDownLatch(1);
        io.dedup.spi.DedupStore store = InMemoryDedupStore.create();

        KafkaDedupRunner<String, String> zombie = transforming(group, in, out, transactionalId, store, record -> {
            zombieStuck.countDown();
            releaseZombie.await(); // stuck, as a paused or partitioned instance would be
        });
        Thread zombieThread = zombie.start();
        assertThat(zombieStuck.await(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

        // Its replacement starts with the same transactional.id: initTransactions fences the zombie.
        KafkaDedupRunner<String, String> replacement = transforming(group, in, out, transactionalId, store, r -> {});
        releaseZombie.countDown();
        zombieThread.join(60_000);
        assertThat(zombieThread.isAlive()).isFalse(); // fenced: it stopped rather than commit anything
        try (replacement) {
            replacement.start();
            Map<?, Long> end = Kafka.endOffsets(in);
            await().atMost(Duration.ofSeconds(60))
                    .untilAsserted(() -> assertThat(Kafka.committed(group, in)).isEqualTo(end));
        } finally {
            zombie.close();
        }
        assertThat(Kafka.readToEnd(out, true))
                .extracting(ConsumerRecord::value)
                .hasSize(10)
                .doesNotHaveDuplicates();
    }

    private static KafkaDedupRunner<String, String> transforming(
            String group,
            String in,
            String out,
            String transactionalId,
            io.dedup.spi.DedupStore store,
            io.dedup.MessageHandler<ConsumerRecord<String, String>> before) {
        return KafkaDedupRunner.builder(Kafka.consumerConfig(group), new StringDeserializer(), new StringDeserializer())
                .topics(in)
                .dedup(KafkaDedup.builder()
                        .store(store)
                        .settings(io.dedup.DedupSettings.custom()
                                .lease(Duration.ofSeconds(5))
                                .build()))
                .transactionalProducer(
                        Map.of(
                                ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                                transactionalId,
                                ProducerConfig.TRANSACTION_TIMEOUT_CONFIG,
                                10_000),
                        new StringSerializer(),
                        new StringSerializer(),
                        (ConsumerRecord<String, String> record, RecordSink<String, String> sink) -> {
                            before.handle(record);
                            sink.send(new ProducerRecord<>(out, record.key(), record.value()));
                        })
                .build();
    }
}
