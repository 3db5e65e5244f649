package io.dedup.kafka;

import static io.dedup.kafka.Kafka.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dedup.DedupKey;
import io.dedup.OutcomeStatus;
import io.dedup.spi.ClaimRequest;
import io.dedup.spi.ClaimResult;
import io.dedup.spi.Completion;
import io.dedup.testkit.FaultInjectingStore;
import io.dedup.testkit.FaultInjectingStore.Operation;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The leased-mode runner against a real broker. */
class LeasedRunnerBrokerTest {
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    private final FaultInjectingStore store = FaultInjectingStore.inMemory();
    private final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
    private final List<String> order = new CopyOnWriteArrayList<>();
    private final List<KafkaDedupRunner<?, ?>> runners = new ArrayList<>();
    private final String group = Kafka.unique("group");

    @AfterEach
    void closeRunners() {
        runners.forEach(KafkaDedupRunner::close);
    }

    private KafkaDedupRunner<String, String> start(
            String topic, KafkaDedup.Builder dedup, io.dedup.MessageHandler<ConsumerRecord<String, String>> handler) {
        KafkaDedupRunner<String, String> runner = KafkaDedupRunner.builder(
                        Kafka.consumerConfig(group), new StringDeserializer(), new StringDeserializer())
                .topics(topic)
                .dedup(dedup.store(store))
                .storeBackoff(Duration.ofMillis(100), Duration.ofMillis(400))
                .pollTimeout(Duration.ofMillis(200))
                .handler(handler)
                .build();
        runners.add(runner);
        runner.start();
        return runner;
    }

    private io.dedup.MessageHandler<ConsumerRecord<String, String>> counting() {
        return record -> {
            String key = Kafka.header(record, RecordKeys.DEFAULT_HEADER);
            runs.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
            order.add(record.value());
        };
    }

    private void awaitAllCommitted(String topic) {
        Map<?, Long> end = Kafka.endOffsets(topic);
        await().atMost(PATIENCE)
                .untilAsserted(() -> assertThat(Kafka.committed(group, topic)).isEqualTo(end));
    }

    @Test
    void duplicates_in_one_batch_across_batches_and_across_partitions_run_the_handler_once() {
        String topic = Kafka.topic("dups", 3);
        List<ProducerRecord<String, String>> first = new ArrayList<>();
        for (int i = 0; i < 90; i++) {
            first.add(message(topic, i % 3, "k" + (i % 60), "v" + i)); // 30 keys twice, some on other partitions
        }
        Kafka.send(first);
        start(topic, KafkaDedup.builder(), counting());
        awaitAllCommitted(topic);
        assertThat(runs).hasSize(60).allSatisfy((key, count) -> assertThat(count.get())
                .isOne());

        List<ProducerRecord<String, String>> second = new ArrayList<>();
        for (int i = 40; i < 80; i++) {
            second.add(message(topic, i % 3, "k" + i, "again" + i)); // k40..k59 are duplicates of the first wave
        }
        Kafka.send(second);
        awaitAllCommitted(topic);
        assertThat(runs).hasSize(80).allSatisfy((key, count) -> assertThat(count.get())
                .isOne());
        // one claim round trip per poll (plus one when a poll repeats a key), never one per record
        assertThat(store.calls(Operation.CLAIM, Operation.CLAIM_ALL)).isLessThan(130 / 2);
    }

    @Test
    void a_store_outage_pauses_consumption_and_nothing_is_lost_or_committed_until_it_ends() {
        String topic = Kafka.topic("outage", 2);
        store.down(true);
        start(topic, KafkaDedup.builder(), counting());
        List<ProducerRecord<String, String>> records = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            records.add(message(topic, i % 2, "k" + i, "v" + i));
        }
        Kafka.send(records);
        await().atMost(PATIENCE).until(() -> store.refused() >= 3); // it tried, backed off, tried again
        assertThat(runs).isEmpty();
        assertThat(Kafka.committed(group, topic)).isEmpty();

        store.down(false);
        awaitAllCommitted(topic);
        assertThat(runs).hasSize(40).allSatisfy((key, count) -> assertThat(count.get())
                .isOne());
    }

    @Test
    void a_failing_record_is_retried_then_dead_lettered_with_its_headers_and_bad_input_follows_it() {
        String topic = Kafka.topic("dlt", 1);
        AtomicInteger poisonAttempts = new AtomicInteger();
        List<ProducerRecord<String, String>> records = new ArrayList<>();
        records.add(message(topic, 0, "a", "ok-1"));
        ProducerRecord<String, String> poison = message(topic, 0, "p", "poison");
        poison.headers().add("trace-id", "t-1".getBytes(StandardCharsets.UTF_8));
        records.add(poison);
        records.add(message(topic, 0, "b", "ok-2"));
        records.add(message(topic, 0, null, "no key"));
        records.add(message(topic, 0, "t", null));
        records.add(message(topic, 0, "c", "ok-3"));
        Kafka.send(records);

        start(topic, KafkaDedup.builder().retries(3, Duration.ofMillis(50), Duration.ofMillis(100)), record -> {
            if ("poison".equals(record.value())) {
                poisonAttempts.incrementAndGet();
                throw new IllegalStateException("cannot handle " + record.value());
            }
            order.add(record.value());
        });
        awaitAllCommitted(topic);
        assertThat(order).containsExactly("ok-1", "ok-2", "ok-3"); // ok-2 waited for the poison's last attempt
        assertThat(poisonAttempts).hasValue(3);

        List<ConsumerRecord<String, String>> dead = Kafka.read(topic + ".DLT", 3);
        assertThat(dead).hasSize(3);
        ConsumerRecord<String, String> failed = dead.get(0);
        assertThat(failed.key()).isEqualTo("rk-p");
        assertThat(failed.value()).isEqualTo("poison");
        assertThat(Kafka.header(failed, "trace-id")).isEqualTo("t-1");
        assertThat(Kafka.header(failed, RecordKeys.DEFAULT_HEADER)).isEqualTo("p");
        assertThat(Kafka.header(failed, DeadLetterHeaders.REASON)).isEqualTo("HANDLER_FAILED");
        assertThat(Kafka.header(failed, DeadLetterHeaders.EXCEPTION_CLASS))
                .isEqualTo(IllegalStateException.class.getName());
        assertThat(Kafka.header(failed, DeadLetterHeaders.EXCEPTION_MESSAGE)).isEqualTo("cannot handle poison");
        assertThat(Kafka.header(failed, DeadLetterHeaders.ATTEMPTS)).isEqualTo("3");
        assertThat(Kafka.header(failed, DeadLetterHeaders.ORIGINAL_TOPIC)).isEqualTo(topic);
        assertThat(Kafka.header(failed, DeadLetterHeaders.ORIGINAL_PARTITION)).isEqualTo("0");
        assertThat(Kafka.header(failed, DeadLetterHeaders.ORIGINAL_OFFSET)).isEqualTo("1");

        assertThat(Kafka.header(dead.get(1), DeadLetterHeaders.REASON)).isEqualTo("KEY_MISSING");
        assertThat(Kafka.header(dead.get(1), DeadLetterHeaders.EXCEPTION_MESSAGE))
                .contains("no idempotency key")
                .contains(topic + "-0@3");
        assertThat(Kafka.header(dead.get(1), DeadLetterHeaders.ATTEMPTS)).isEqualTo("0");
        assertThat(Kafka.header(dead.get(2), DeadLetterHeaders.REASON)).isEqualTo("TOMBSTONE");
        assertThat(dead.get(2).value()).isNull();
    }

    @Test
    void a_key_in_progress_elsewhere_is_deferred_until_it_completes_or_its_lease_lapses() {
        String topic = Kafka.topic("inprogress", 1);
        DedupKey completedLater = DedupKey.of(group, "x");
        DedupKey abandoned = DedupKey.of(group, "y");
        ClaimResult.Acquired other = (ClaimResult.Acquired)
                store.claim(ClaimRequest.of(completedLater, Duration.ofMinutes(5), Duration.ofHours(1)));
        store.claim(ClaimRequest.of(abandoned, Duration.ofMillis(1500), Duration.ofHours(1)));
        Kafka.send(List.of(
                message(topic, 0, "x", "x"),
                message(topic, 0, "a", "a"),
                message(topic, 0, "y", "y"),
                message(topic, 0, "b", "b")));

        // passDeferred: the later records run while x waits (by default they would wait behind it, in order)
        start(topic, KafkaDedup.builder().deferBackoff(Duration.ofMillis(200)).passDeferred(true), counting());
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(runs).containsKeys("a", "b"));
        assertThat(runs).doesNotContainKey("x");
        // the abandoned lease lapses and this consumer takes the key over
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(runs).containsKey("y"));
        assertThat(Kafka.committed(group, topic).getOrDefault(new org.apache.kafka.common.TopicPartition(topic, 0), 0L))
                .isZero(); // never past x, still in progress elsewhere

        store.complete(new Completion(
                completedLater, other.claim().token(), OutcomeStatus.SUCCEEDED, new byte[0], Duration.ofHours(1)));
        awaitAllCommitted(topic);
        assertThat(runs).doesNotContainKey("x");
        assertThat(runs).allSatisfy((key, count) -> assertThat(count.get()).isOne());
    }

    @Test
    void a_rebalance_while_handlers_run_neither_loses_nor_repeats_a_key() {
        String topic = Kafka.topic("rebalance", 4);
        List<ProducerRecord<String, String>> records = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            records.add(message(topic, i % 4, "k" + (i % 180), "v" + i));
        }
        Kafka.send(records);
        AtomicInteger byFirst = new AtomicInteger();
        AtomicInteger bySecond = new AtomicInteger();
        start(topic, KafkaDedup.builder(), slow(byFirst));
        await().atMost(PATIENCE).until(() -> runs.size() >= 20);
        start(topic, KafkaDedup.builder(), slow(bySecond)); // joins the group: partitions move while handlers run
        awaitAllCommitted(topic);
        assertThat(runs).hasSize(180).allSatisfy((key, count) -> assertThat(count.get())
                .isOne());
        assertThat(byFirst.get()).isLessThan(180);
        assertThat(bySecond.get()).isPositive();
    }

    private io.dedup.MessageHandler<ConsumerRecord<String, String>> slow(AtomicInteger count) {
        io.dedup.MessageHandler<ConsumerRecord<String, String>> counting = counting();
        return record -> {
            Thread.sleep(10);
            counting.handle(record);
            count.incrementAndGet();
        };
    }
}
