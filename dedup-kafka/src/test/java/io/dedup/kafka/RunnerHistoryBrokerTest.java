package io.dedup.kafka;

import static io.dedup.kafka.Kafka.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dedup.DedupKey;
import io.dedup.spi.RecordState;
import io.dedup.testkit.FaultInjectingStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Generated histories for the leased runner against a real broker, so that fetching and claiming ahead meet what
 * makes them dangerous: keys repeated across batches and partitions, handlers that fail and are retried (rewinds that
 * give claims ahead back), slow handlers (claims ahead overlapping them), a small buffer (many batches) and, in
 * the histories of even seeds, a store outage (back-offs), and in those of odd seeds a second member joining the group
 * (a rebalance, claims ahead given back). Each seed gives one history; a failure names its seed, and
 * {@code -Ddedup.runner.seeds=17,18} replays those.
 *
 * <p>What must hold in every history: every key's handler succeeds exactly once; per partition, successful handlers
 * run in offset order; every offset is committed in the end; no key is left held.
 */
class RunnerHistoryBrokerTest {
    private static final Duration PATIENCE = Duration.ofSeconds(90);
    private static final int PARTITIONS = 3;

    private final FaultInjectingStore store = FaultInjectingStore.inMemory();
    private final List<KafkaDedupRunner<?, ?>> runners = new ArrayList<>();
    private final String group = Kafka.unique("history");
    /** Successful handler runs per key. */
    private final Map<String, AtomicInteger> succeeded = new ConcurrentHashMap<>();
    /** The offsets of successful handler runs per partition, in the order they ran. */
    private final Map<Integer, List<Long>> ranPerPartition = new ConcurrentHashMap<>();
    /** The records whose first attempt fails, and those that already failed once. */
    private final Set<String> failFirst = ConcurrentHashMap.newKeySet();

    private final Set<String> failedOnce = ConcurrentHashMap.newKeySet();
    /** What the first handler run of a second-wave record waits for, if anything. */
    private volatile Runnable gate;

    private final AtomicBoolean gateTaken = new AtomicBoolean();
    /** Every key sent. */
    private final Set<String> sentKeys = new HashSet<>();

    @AfterEach
    void closeRunners() {
        runners.forEach(KafkaDedupRunner::close);
    }

    static Stream<Long> seeds() {
        String chosen = System.getProperty("dedup.runner.seeds", "101,102,103,104");
        return Arrays.stream(chosen.split(",")).map(String::trim).map(Long::valueOf);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void every_key_succeeds_once_in_partition_order_and_every_offset_is_committed(long seed) {
        Random random = new Random(seed);
        String topic = Kafka.topic("history-" + seed, PARTITIONS);
        List<ProducerRecord<String, String>> first = records(topic, random, 0, 150);
        List<ProducerRecord<String, String>> second = records(topic, random, 150, 150);
        Kafka.send(first);

        int buffer = 20 + random.nextInt(40); // many batches, each claimed ahead of its run
        start(topic, buffer, seed);

        // the second wave arrives while the first is consumed, so that batches are fetched and claimed while others run
        await().atMost(PATIENCE).until(() -> total() >= 40);
        KafkaDedupRunner<?, ?> firstMember = runners.get(0);
        if (seed % 2 == 1) {
            // in odd seeds a second member joins while the first one's handler holds a batch, so that partitions
            // move while records are claimed ahead and the first member gives them back: the first handler run of a
            // second-wave record waits until a revocation began (or 10 s passed)
            gate = () -> {
                try {
                    await().atMost(Duration.ofSeconds(10)).until(() -> revoking(firstMember, topic));
                    System.out.println("seed " + seed + ": partitions revoked while a batch was held");
                } catch (ConditionTimeoutException e) {
                    // the rebalance came and went without this member: the history goes on without the overlap
                }
            };
        }
        Kafka.send(second);
        if (seed % 2 == 1) {
            start(topic, buffer, seed);
        }
        if (seed % 2 == 0) {
            store.down(true); // a store outage in every other history: back-offs, claims ahead given back
            await().atMost(PATIENCE).until(() -> store.refused() >= 2);
            store.down(false);
        }

        Map<?, Long> end = Kafka.endOffsets(topic);
        await().atMost(PATIENCE)
                .untilAsserted(() -> assertThat(Kafka.committed(group, topic)).isEqualTo(end));
        assertThat(succeeded.keySet()).as("seed %d: keys that succeeded", seed).isEqualTo(sentKeys);
        assertThat(succeeded)
                .as("seed %d: successful runs per key", seed)
                .allSatisfy((key, runs) -> assertThat(runs.get()).isOne());
        ranPerPartition.forEach((partition, offsets) -> assertThat(offsets)
                .as("seed %d: offsets run on partition %d", seed, partition)
                .isSorted()
                .doesNotHaveDuplicates());
        for (String key : sentKeys) {
            assertThat(store.find(DedupKey.of(group, key)).orElseThrow().state())
                    .as("seed %d: key %s", seed, key)
                    .isEqualTo(RecordState.COMPLETED);
        }
    }

    /** Starts one more member of the group: a runner with a buffer of {@code buffer} records. */
    private KafkaDedupRunner<String, String> start(String topic, int buffer, long seed) {
        KafkaDedupRunner<String, String> runner = KafkaDedupRunner.builder(
                        Kafka.consumerConfig(group), new StringDeserializer(), new StringDeserializer())
                .topics(topic)
                .maxBufferedRecords(buffer)
                .storeBackoff(Duration.ofMillis(50), Duration.ofMillis(200))
                .pollTimeout(Duration.ofMillis(100))
                .dedup(KafkaDedup.builder()
                        .store(store)
                        .retries(5, Duration.ofMillis(10), Duration.ofMillis(40))
                        .deadLetters(letters -> {
                            throw new AssertionError("nothing is dead-lettered in these histories: " + letters);
                        }))
                .handler(record -> handle(record, seed))
                .build();
        runners.add(runner);
        runner.start();
        return runner;
    }

    /** Whether {@code runner} is giving up one of the topic's partitions. */
    private static boolean revoking(KafkaDedupRunner<?, ?> runner, String topic) {
        for (int p = 0; p < PARTITIONS; p++) {
            if (runner.isRevoking(new TopicPartition(topic, p))) {
                return true;
            }
        }
        return false;
    }

    /** {@code n} records from index {@code from}: keys from a pool a third smaller, so many repeat. */
    private List<ProducerRecord<String, String>> records(String topic, Random random, int from, int n) {
        List<ProducerRecord<String, String>> records = new ArrayList<>(n);
        for (int i = from; i < from + n; i++) {
            String key = "k" + random.nextInt(200);
            sentKeys.add(key);
            String value = "v" + i + (random.nextInt(10) == 0 ? "-slow" : "");
            if (random.nextInt(20) == 0) {
                failFirst.add(value);
            }
            records.add(message(topic, random.nextInt(PARTITIONS), key, value));
        }
        return records;
    }

    private void handle(ConsumerRecord<String, String> record, long seed) throws Exception {
        Runnable waitFor = gate;
        if (waitFor != null && index(record.value()) >= 150 && !gateTaken.getAndSet(true)) {
            waitFor.run(); // once, in the first member, on a record of the second wave
        }
        if (record.value().endsWith("-slow")) {
            Thread.sleep(2); // the handler's own work, not a wait for a condition: claims ahead overlap it
        }
        if (failFirst.contains(record.value()) && failedOnce.add(record.value())) {
            throw new IllegalStateException("seed " + seed + ": the first attempt of " + record.value() + " fails");
        }
        String key = Kafka.header(record, RecordKeys.DEFAULT_HEADER);
        succeeded.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        ranPerPartition
                .computeIfAbsent(record.partition(), p -> new CopyOnWriteArrayList<>())
                .add(record.offset());
    }

    /** The index a record's value was made with: {@code v<index>}, maybe followed by {@code -slow}. */
    private static int index(String value) {
        int end = value.indexOf('-');
        return Integer.parseInt(value.substring(1, end < 0 ? value.length() : end));
    }

    private int total() {
        return succeeded.values().stream().mapToInt(AtomicInteger::get).sum();
    }
}
