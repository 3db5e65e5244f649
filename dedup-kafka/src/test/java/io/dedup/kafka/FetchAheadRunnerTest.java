package io.dedup.kafka;

import static io.dedup.kafka.Records.raw;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dedup.DedupKey;
import io.dedup.memory.InMemoryDedupStore;
import io.dedup.spi.RecordState;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetCommitCallback;
import org.apache.kafka.clients.consumer.RetriableCommitFailedException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The runner fetches the next records while a batch runs: per partition order, rewinds, revocations and close
 * against Kafka's MockConsumer, with the loop on its own thread as in production.
 */
class FetchAheadRunnerTest {
    private static final TopicPartition P0 = new TopicPartition("orders", 0);
    private static final TopicPartition P1 = new TopicPartition("orders", 1);
    private static final Duration WAIT = Duration.ofSeconds(10);

    /** Every offset committed, also readable after the consumer closed. */
    private final Map<TopicPartition, OffsetAndMetadata> commits = new ConcurrentHashMap<>();
    /** The offsets committed synchronously. */
    private final Map<TopicPartition, OffsetAndMetadata> syncCommits = new ConcurrentHashMap<>();
    /** Whether asynchronous commits get lost on their way (never answered, never applied). */
    private volatile boolean loseAsyncCommits;
    /** How many of the next asynchronous commits fail (answered with a retriable error, not applied). */
    private final AtomicInteger failingAsyncCommits = new AtomicInteger();

    private final MockConsumer<byte[], byte[]> consumer =
            new MockConsumer<>(org.apache.kafka.clients.consumer.OffsetResetStrategy.EARLIEST) { // 3.x and 4.x
                @Override
                public synchronized void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
                    super.commitSync(offsets);
                    commits.putAll(offsets);
                    syncCommits.putAll(offsets);
                }

                @Override
                public synchronized void commitAsync(
                        Map<TopicPartition, OffsetAndMetadata> offsets, OffsetCommitCallback callback) {
                    if (loseAsyncCommits) {
                        return;
                    }
                    if (failingAsyncCommits.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                        callback.onComplete(offsets, new RetriableCommitFailedException("the coordinator is loading"));
                        return;
                    }
                    super.commitAsync(offsets, callback);
                    commits.putAll(offsets);
                }
            };
    private final InMemoryDedupStore store = InMemoryDedupStore.create();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<String> handled = new CopyOnWriteArrayList<>();
    private final CountDownLatch inSlow = new CountDownLatch(1);
    private final CountDownLatch releaseSlow = new CountDownLatch(1);
    private KafkaDedupRunner<String, String> runner;

    private Thread start(io.dedup.MessageHandler<ConsumerRecord<String, String>> handler) {
        runner = KafkaDedupRunner.builder(Map.of("group.id", "g"), new StringDeserializer(), new StringDeserializer())
                .consumer(consumer)
                .topics("orders")
                .dedup(KafkaDedup.builder()
                        .store(store)
                        .retries(3, Duration.ofMillis(20), Duration.ofMillis(20))
                        .meterRegistry(registry)
                        .deadLetters(letters -> {}))
                .handler(handler)
                .build();
        runner.subscribe();
        consumer.rebalance(List.of(P0, P1));
        consumer.updateBeginningOffsets(Map.of(P0, 0L, P1, 0L));
        return runner.start();
    }

    /** Records its value; a record whose value ends with "slow" waits for {@link #releaseSlow} the first time. */
    private void handle(ConsumerRecord<String, String> record) throws InterruptedException {
        if (record.value().endsWith("slow") && inSlow.getCount() > 0) {
            inSlow.countDown();
            assertThat(releaseSlow.await(20, TimeUnit.SECONDS)).isTrue();
        }
        handled.add(record.value());
    }

    @AfterEach
    void close() {
        releaseSlow.countDown();
        if (runner != null) {
            runner.close();
        }
    }

    private void awaitPosition(TopicPartition partition, long position) {
        await().atMost(WAIT).until(() -> consumer.position(partition) == position);
    }

    private OffsetAndMetadata committed(TopicPartition partition) {
        return commits.get(partition);
    }

    private void awaitCommitted(TopicPartition partition, long offset) {
        await().atMost(WAIT)
                .until(() ->
                        committed(partition) != null && committed(partition).offset() == offset);
    }

    /** Starts the runner and waits until record {@code p0-slow} (key k0, offset 0 of P0) is in its handler. */
    private Thread startWithASlowBatchRunning() throws InterruptedException {
        Thread loop = start(this::handle);
        consumer.addRecord(raw("orders", 0, 0, "k0", "p0-slow"));
        assertThat(inSlow.await(10, TimeUnit.SECONDS)).isTrue();
        return loop;
    }

    /** Never claimed, or claimed ahead and given back unrun: not held, so whoever consumes it next acquires it. */
    private void assertFree(String key) {
        store.find(DedupKey.of("g", key))
                .ifPresent(stored -> assertThat(stored.state()).isEqualTo(RecordState.RELEASED));
    }

    /** Claimed and held: in progress in the store. */
    private boolean held(String key) {
        return store.find(DedupKey.of("g", key))
                .map(stored -> stored.state() == RecordState.IN_PROGRESS)
                .orElse(false);
    }

    private List<String> handledOf(String prefix) {
        return handled.stream().filter(v -> v.startsWith(prefix)).toList();
    }

    @Test
    void records_fetched_while_a_batch_runs_start_after_it_in_partition_order() throws Exception {
        start(this::handle);
        consumer.addRecord(raw("orders", 0, 0, "k0", "p0-slow"));
        consumer.addRecord(raw("orders", 1, 0, "k1", "p1-0"));
        assertThat(inSlow.await(10, TimeUnit.SECONDS)).isTrue();

        consumer.addRecord(raw("orders", 0, 1, "k2", "p0-1"));
        consumer.addRecord(raw("orders", 0, 2, "k3", "p0-2"));
        consumer.addRecord(raw("orders", 1, 1, "k4", "p1-1"));
        awaitPosition(P0, 3); // fetched while the first batch is still in its handler
        awaitPosition(P1, 2);
        assertThat(handled).doesNotContain("p0-1", "p0-2", "p1-1");

        releaseSlow.countDown();
        await().atMost(WAIT).until(() -> handled.size() == 5);
        assertThat(handledOf("p0")).containsExactly("p0-slow", "p0-1", "p0-2");
        assertThat(handledOf("p1")).containsExactly("p1-0", "p1-1");
        awaitCommitted(P0, 3);
        awaitCommitted(P1, 2);
    }

    @Test
    void records_fetched_while_a_batch_runs_are_claimed_before_it_ends_and_run_after_it_once() throws Exception {
        startWithASlowBatchRunning();
        consumer.addRecord(raw("orders", 0, 1, "k1", "p0-1"));
        consumer.addRecord(raw("orders", 1, 0, "k2", "p1-0"));

        // claimed on the claim thread while the slow handler still runs: the round trip overlaps the handlers
        await().atMost(WAIT).until(() -> held("k1") && held("k2"));
        assertThat(handled).isEmpty();

        releaseSlow.countDown();
        await().atMost(WAIT).until(() -> handled.size() == 3);
        assertThat(handledOf("p0")).containsExactly("p0-slow", "p0-1");
        awaitCommitted(P0, 2);
        awaitCommitted(P1, 1);
        assertThat(handled).hasSize(3);
    }

    @Test
    void a_key_of_the_running_batch_claimed_again_ahead_is_a_duplicate_not_a_key_held_elsewhere() throws Exception {
        startWithASlowBatchRunning();
        consumer.addRecord(raw("orders", 1, 0, "k0", "p1-same-key")); // a producer retry, on the other partition
        consumer.addRecord(raw("orders", 1, 1, "k1", "p1-1"));
        awaitPosition(P1, 2);

        releaseSlow.countDown();
        awaitCommitted(P1, 2);
        assertThat(handled).containsExactly("p0-slow", "p1-1");
        // claimed behind the running batch: answered as the duplicate it is, not deferred as held by someone else
        assertThat(registry.find("dedup.kafka.deferrals").counter()).isNull();
    }

    @Test
    void records_fetched_behind_a_record_that_is_retried_wait_for_its_retry() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        start(record -> {
            if (record.value().equals("slow-flaky") && attempts.incrementAndGet() == 1) {
                inSlow.countDown();
                assertThat(releaseSlow.await(20, TimeUnit.SECONDS)).isTrue();
                throw new IllegalStateException("the first attempt fails");
            }
            handled.add(record.value());
        });
        consumer.addRecord(raw("orders", 0, 0, "k0", "slow-flaky"));
        assertThat(inSlow.await(10, TimeUnit.SECONDS)).isTrue();
        consumer.addRecord(raw("orders", 0, 1, "k1", "behind"));
        awaitPosition(P0, 2); // "behind" is buffered

        releaseSlow.countDown();
        awaitPosition(P0, 0); // the failure rewound the partition, dropping what was fetched behind it
        consumer.addRecord(raw("orders", 0, 0, "k0", "slow-flaky")); // the broker's redelivery
        consumer.addRecord(raw("orders", 0, 1, "k1", "behind"));
        await().atMost(WAIT).until(() -> handled.size() == 2);
        assertThat(handled).containsExactly("slow-flaky", "behind");
        awaitCommitted(P0, 2);
    }

    @Test
    void records_buffered_from_a_revoked_partition_never_run_on_the_old_owner() throws Exception {
        startWithASlowBatchRunning();
        consumer.addRecord(raw("orders", 1, 0, "k1", "p1-0"));
        consumer.addRecord(raw("orders", 1, 1, "k2", "p1-1"));
        awaitPosition(P1, 2); // buffered behind the slow batch

        KafkaDedupRunner<?, ?> started = runner;
        consumer.schedulePollTask(() -> {
            Thread release = new Thread(() -> {
                await().atMost(WAIT).until(() -> started.isRevoking(P1));
                releaseSlow.countDown(); // the slow handler returns once P1 is being revoked
            });
            release.start();
            consumer.rebalance(List.of(P0)); // P1 goes; waits in onPartitionsRevoked for the batch
        });
        await().atMost(WAIT).until(() -> !consumer.assignment().contains(P1));
        consumer.addRecord(raw("orders", 0, 1, "k3", "p0-after"));
        await().atMost(WAIT).until(() -> handled.contains("p0-after"));

        assertThat(handled).containsExactly("p0-slow", "p0-after");
        assertFree("k1"); // claimed ahead at most, and then given back: the next owner acquires them at once
        assertFree("k2");
    }

    @Test
    void close_while_a_batch_runs_finishes_it_commits_and_never_starts_the_buffered_records() throws Exception {
        Thread loop = startWithASlowBatchRunning();
        consumer.addRecord(raw("orders", 0, 1, "k1", "p0-buffered"));
        awaitPosition(P0, 2);

        Thread closer = new Thread(runner::close);
        closer.start();
        // closing stops fetching: every partition pauses while the batch in hand finishes
        await().atMost(WAIT).until(() -> consumer.paused().containsAll(Set.of(P0, P1)));
        releaseSlow.countDown();
        closer.join(WAIT.toMillis());
        loop.join(WAIT.toMillis());

        assertThat(closer.isAlive()).isFalse();
        assertThat(loop.isAlive()).isFalse();
        assertThat(handled).containsExactly("p0-slow");
        assertThat(committed(P0).offset()).isEqualTo(1);
        assertFree("k1");
        assertThat(consumer.closed()).isTrue();
    }

    @Test
    void offsets_committed_asynchronously_and_not_confirmed_are_committed_synchronously_before_a_partition_goes() {
        loseAsyncCommits = true;
        start(this::handle);
        consumer.addRecord(raw("orders", 0, 0, "k0", "p0-0"));
        consumer.addRecord(raw("orders", 1, 0, "k1", "p1-0"));
        await().atMost(WAIT).until(() -> handled.size() == 2);
        assertThat(syncCommits).isEmpty(); // while running, commits are asynchronous (and these were lost)

        consumer.schedulePollTask(() -> consumer.rebalance(List.of(P0)));
        await().atMost(WAIT).until(() -> syncCommits.containsKey(P1));
        assertThat(syncCommits.get(P1).offset()).isEqualTo(1);

        consumer.addRecord(raw("orders", 0, 1, "k2", "p0-1"));
        await().atMost(WAIT).until(() -> handled.size() == 3);
        runner.close();
        assertThat(syncCommits.get(P0).offset()).isEqualTo(2); // close commits synchronously what was not confirmed
    }

    @Test
    void an_asynchronous_commit_that_failed_is_sent_again_when_no_further_record_comes() {
        failingAsyncCommits.set(2); // e.g. the group coordinator moving after a broker restart
        start(this::handle);
        consumer.addRecord(raw("orders", 0, 0, "k0", "p0-0"));
        consumer.addRecord(raw("orders", 1, 0, "k1", "p1-0"));
        await().atMost(WAIT).until(() -> handled.size() == 2);

        // nothing more arrives, so no next batch's commit covers the failed one: the idle runner sends it again
        await().atMost(WAIT).until(() -> committed(P0) != null && committed(P1) != null);
        assertThat(committed(P0).offset()).isEqualTo(1);
        assertThat(committed(P1).offset()).isEqualTo(1);
        assertThat(syncCommits).isEmpty(); // asynchronously, while the partitions stay
    }
}
