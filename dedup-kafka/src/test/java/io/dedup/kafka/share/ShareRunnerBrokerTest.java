package io.dedup.kafka.share;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dedup.DedupSettings;
import io.dedup.kafka.DeadLetterHeaders;
import io.dedup.kafka.RecordKeys;
import io.dedup.memory.InMemoryDedupStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The share-group runner in leased mode against a real broker, over one in-memory store shared by the consumers. */
class ShareRunnerBrokerTest {
    private final ShareRunners runners = new ShareRunners();
    private final SimpleMeterRegistry registry = runners.registry;
    private final InMemoryDedupStore store = InMemoryDedupStore.create();

    @AfterEach
    void closeRunners() {
        runners.close();
        store.close();
    }

    private KafkaShareDedupRunner<String, String> start(KafkaShareDedupRunnerBuilder<String, String> builder) {
        return runners.start(builder);
    }

    private KafkaShareDedupRunnerBuilder<String, String> builder(String group, String topic) {
        return runners.builder(group, topic, store, new StringDeserializer());
    }

    @Test
    void three_share_consumers_run_each_key_once_over_duplicated_records() throws Exception {
        String topic = ShareKafka.topic("share-dups", 3);
        String group = ShareRunners.group(Duration.ofSeconds(10), true, 5);
        Map<String, AtomicInteger> effects = new ConcurrentHashMap<>();
        for (int i = 0; i < 3; i++) {
            start(builder(group, topic).handler((record, delivery) -> ShareRunners.count(effects, record)));
        }
        List<ProducerRecord<String, String>> records = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            // every key twice, on different partitions: two consumers may hold its two copies at the same time
            records.add(ShareKafka.message(topic, i % 3, "key-" + i, "key-" + i));
            records.add(ShareKafka.message(topic, (i + 1) % 3, "key-" + i, "key-" + i));
        }
        ShareKafka.send(records);

        await().atMost(Duration.ofSeconds(90)).until(() -> ShareKafka.acks(registry, "ACCEPT") >= 60);
        assertThat(effects).hasSize(30);
        assertThat(effects.values()).allSatisfy(count -> assertThat(count.get()).isEqualTo(1));
        assertThat(ShareKafka.acks(registry, "REJECT")).isZero();
        // core's meters come through the dedup consumer's registry
        assertThat(registry.find("dedup.messages").meters()).isNotEmpty();
    }

    @Test
    void a_handler_slower_than_the_lock_has_its_lock_renewed_and_runs_once() throws Exception {
        String topic = ShareKafka.topic("share-slow", 1);
        String group = ShareRunners.group(Duration.ofSeconds(2), true, 5);
        CountDownLatch release = new CountDownLatch(1);
        List<Integer> deliveries = new CopyOnWriteArrayList<>();
        AtomicInteger runs = new AtomicInteger();
        ShareRecordHandler<String, String> slow = (record, delivery) -> {
            runs.incrementAndGet();
            deliveries.add(delivery.deliveryCount());
            assertThat(delivery.claim()).isPresent();
            release.await(60, TimeUnit.SECONDS);
        };
        start(builder(group, topic).handler(slow));
        start(builder(group, topic).handler(slow));
        ShareKafka.send(List.of(ShareKafka.message(topic, 0, "slow-1", "slow")));

        // several lock periods pass while the handler runs: the lock is renewed, not lost
        await().atMost(Duration.ofSeconds(60)).until(() -> ShareKafka.acks(registry, "RENEW") >= 4);
        release.countDown();
        await().atMost(Duration.ofSeconds(30)).until(() -> ShareKafka.acks(registry, "ACCEPT") >= 1);
        assertThat(runs.get()).isEqualTo(1);
        assertThat(deliveries).containsExactly(1);
        assertThat(ShareKafka.acks(registry, "RELEASE")).isZero();
        assertThat(registry.find("dedup.kafka.share.locks.lost").counters()).isEmpty();
    }

    @Test
    void poison_and_an_unreadable_key_go_to_the_dead_letter_topic_and_are_rejected() throws Exception {
        String topic = ShareKafka.topic("share-poison", 1);
        String group = ShareRunners.group(Duration.ofSeconds(10), true, 3);
        Map<String, List<Integer>> attempts = new ConcurrentHashMap<>();
        start(builder(group, topic)
                .keys(RecordKeys.jsonPointer("/id"))
                .deliveryLimit(3)
                .handler((record, delivery) -> {
                    attempts.computeIfAbsent(record.value(), k -> new CopyOnWriteArrayList<>())
                            .add(delivery.deliveryCount());
                    if (record.value().contains("poison")) {
                        throw new IllegalStateException("cannot handle " + record.value());
                    }
                }));
        ShareKafka.send(List.of(
                ShareKafka.message(topic, 0, null, "{\"id\":\"good-1\"}"),
                ShareKafka.message(topic, 0, null, "{\"id\":\"poison-1\",\"poison\":true}"),
                ShareKafka.message(topic, 0, null, "{not json"),
                ShareKafka.message(topic, 0, null, "{\"id\":\"good-2\"}")));

        List<ConsumerRecord<byte[], byte[]>> dead = ShareKafka.read(topic + ".DLT", 2);
        assertThat(dead).hasSize(2);
        Map<String, ConsumerRecord<byte[], byte[]>> byReason = new HashMap<>();
        dead.forEach(r -> byReason.put(ShareKafka.header(r, DeadLetterHeaders.REASON), r));
        assertThat(byReason).containsOnlyKeys("HANDLER_FAILED", "KEY_UNREADABLE");
        ConsumerRecord<byte[], byte[]> poison = byReason.get("HANDLER_FAILED");
        assertThat(new String(poison.value())).contains("poison-1");
        assertThat(ShareKafka.header(poison, DeadLetterHeaders.ATTEMPTS)).isEqualTo("3");
        assertThat(ShareKafka.header(poison, DeadLetterHeaders.EXCEPTION_CLASS))
                .isEqualTo(IllegalStateException.class.getName());
        assertThat(ShareKafka.header(poison, DeadLetterHeaders.ORIGINAL_TOPIC)).isEqualTo(topic);
        assertThat(ShareKafka.header(poison, DeadLetterHeaders.ORIGINAL_OFFSET)).isEqualTo("1");
        assertThat(ShareKafka.header(byReason.get("KEY_UNREADABLE"), DeadLetterHeaders.ORIGINAL_OFFSET))
                .isEqualTo("2");

        await().atMost(Duration.ofSeconds(30)).until(() -> ShareKafka.acks(registry, "REJECT") >= 2);
        await().atMost(Duration.ofSeconds(30)).until(() -> ShareKafka.acks(registry, "ACCEPT") >= 2);
        // the poison record ran once per delivery, up to the limit, and was not delivered again after REJECT
        assertThat(attempts.get("{\"id\":\"poison-1\",\"poison\":true}")).containsExactly(1, 2, 3);
        assertThat(attempts.get("{\"id\":\"good-1\"}")).containsExactly(1);
        assertThat(attempts.get("{\"id\":\"good-2\"}")).containsExactly(1);
        assertThat(attempts).doesNotContainKey("{not json");
        assertThat(ShareKafka.acks(registry, "RELEASE")).isEqualTo(2);
    }

    @Test
    void close_finishes_the_handler_in_hand_accepts_it_and_releases_what_it_did_not_start() throws Exception {
        String topic = ShareKafka.topic("share-close", 1);
        String group = ShareRunners.group(Duration.ofSeconds(10), true, 5);
        CountDownLatch inHandler = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        Map<String, AtomicInteger> effects = new ConcurrentHashMap<>();
        KafkaShareDedupRunner<String, String> first =
                start(builder(group, topic).handler((record, delivery) -> {
                    ShareRunners.count(effects, record);
                    inHandler.countDown();
                    finish.await(60, TimeUnit.SECONDS);
                }));
        ShareKafka.send(ShareRunners.keyed(topic, 5));
        assertThat(inHandler.await(60, TimeUnit.SECONDS)).isTrue();

        Thread closer = new Thread(first::close);
        closer.start();
        finish.countDown();
        closer.join(TimeUnit.SECONDS.toMillis(60));
        assertThat(closer.isAlive()).isFalse();
        assertThat(ShareKafka.acks(registry, "ACCEPT")).isGreaterThanOrEqualTo(1);
        int handledByFirst = effects.size();

        start(builder(group, topic).handler((record, delivery) -> ShareRunners.count(effects, record)));
        await().atMost(Duration.ofSeconds(60)).until(() -> effects.size() == 5);
        await().atMost(Duration.ofSeconds(30)).until(() -> ShareKafka.acks(registry, "ACCEPT") >= 5);
        assertThat(handledByFirst).isGreaterThanOrEqualTo(1);
        assertThat(effects.values()).allSatisfy(count -> assertThat(count.get()).isEqualTo(1));
    }

    @Test
    void dedup_options_other_than_settings_apply_and_the_runners_settings_reach_the_dedup_consumer() throws Exception {
        String topic = ShareKafka.topic("share-options", 1);
        String group = ShareRunners.group(Duration.ofSeconds(10), true, 5);
        Map<String, AtomicInteger> runs = ShareRunners.effects();
        List<Integer> deliveries = new CopyOnWriteArrayList<>();
        KafkaShareDedupRunner<String, String> runner = start(builder(group, topic)
                .settings(DedupSettings.custom().retention(Duration.ofDays(3)).build())
                .dedupOptions(options -> options.handlerAttempts(3, Duration.ZERO))
                .handler((record, delivery) -> {
                    deliveries.add(delivery.deliveryCount());
                    if (runs.computeIfAbsent(record.value(), k -> new AtomicInteger())
                                    .incrementAndGet()
                            < 3) {
                        throw new IllegalStateException("not yet: " + record.value());
                    }
                }));
        ShareKafka.send(ShareRunners.keyed(topic, 3));

        await().atMost(Duration.ofSeconds(60)).until(() -> ShareKafka.acks(registry, "ACCEPT") >= 3);
        // core ran each failing handler again under its claim, within the first delivery: no record was released
        assertThat(runs).hasSize(3);
        assertThat(runs.values()).allSatisfy(count -> assertThat(count.get()).isEqualTo(3));
        assertThat(deliveries).containsOnly(1);
        assertThat(ShareKafka.acks(registry, "RELEASE")).isZero();
        // the runner's settings, not the options, decide retention; the lease follows the 10 s lock
        DedupSettings used = runner.dedup().orElseThrow().settings();
        assertThat(used.retention()).isEqualTo(Duration.ofDays(3));
        assertThat(used.lease()).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void dedup_options_that_call_settings_only_once_records_arrived_stop_run_and_lose_no_record() throws Exception {
        String topic = ShareKafka.topic("share-late-settings", 1);
        String group = ShareRunners.group(Duration.ofSeconds(10), true, 5);
        Map<String, AtomicInteger> effects = ShareRunners.effects();
        AtomicInteger applied = new AtomicInteger();
        // clean when build() tries them; settings(...) when the loop makes its dedup consumer
        KafkaShareDedupRunner<String, String> late = builder(group, topic)
                .dedupOptions(options -> {
                    if (applied.incrementAndGet() > 1) {
                        options.settings(DedupSettings.ofDefaults());
                    }
                })
                .handler((record, delivery) -> ShareRunners.count(effects, record))
                .build();
        ShareKafka.send(ShareRunners.keyed(topic, 3));
        CompletableFuture<Void> running = CompletableFuture.runAsync(late::run);
        try {
            assertThatThrownBy(() -> running.get(60, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("dedupOptions must not call settings(...)");
        } finally {
            late.close();
        }
        assertThat(applied).hasValue(2);
        assertThat(effects).isEmpty();
        assertThat(late.dedup()).isEmpty();
        // what it held was released on the way out
        assertThat(ShareKafka.acks(registry, "RELEASE")).isGreaterThanOrEqualTo(1);

        start(builder(group, topic).handler((record, delivery) -> ShareRunners.count(effects, record)));
        await().atMost(Duration.ofSeconds(60)).until(() -> effects.size() == 3);
        await().atMost(Duration.ofSeconds(30)).until(() -> ShareKafka.acks(registry, "ACCEPT") >= 3);
        assertThat(effects.values()).allSatisfy(count -> assertThat(count.get()).isEqualTo(1));
    }
}
