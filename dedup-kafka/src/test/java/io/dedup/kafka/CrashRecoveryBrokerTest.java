package io.dedup.kafka;

import static io.dedup.kafka.Kafka.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dedup.DedupKey;
import io.dedup.redis.RedisDedupStore;
import io.dedup.spi.RecordState;
import io.dedup.testkit.ChildJvm;
import io.dedup.testkit.LocalServices;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Crash recovery against the real broker and the Redis store, with the default lease (30 s): a consumer in a child
 * JVM is killed with SIGKILL in the middle of a batch and restarted at once; the group's lag must come back to zero
 * with every record processed. The test prints how long that took from the restart; it asserts only the outcome,
 * within a generous deadline (see docs/operations.md for the figure and the consumer settings).
 */
class CrashRecoveryBrokerTest {
    private static final int RECORDS = 2_000;
    private static final Duration DEADLINE = Duration.ofSeconds(150);

    private final List<Process> children = new ArrayList<>();
    private final Set<String> ran = ConcurrentHashMap.newKeySet();
    private final AtomicInteger runs = new AtomicInteger();

    @AfterEach
    void killChildren() {
        children.forEach(Process::destroyForcibly);
    }

    private Process launch(String id, List<String> args) throws IOException {
        List<String> command = ChildJvm.command(
                "128m", List.of("-Dorg.slf4j.simpleLogger.defaultLogLevel=info"), CrashRecoveryChild.class, args);
        Path log = Files.createTempFile("crash-recovery-" + id, ".log");
        Process process = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        children.add(process);
        Thread reader = new Thread(
                () -> {
                    try (BufferedReader out = new BufferedReader(
                            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                        for (String line; (line = out.readLine()) != null; ) {
                            if (line.startsWith("ran ")) {
                                ran.add(line.substring(4));
                                runs.incrementAndGet();
                            }
                        }
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                },
                "crash-recovery-" + id);
        reader.setDaemon(true);
        reader.start();
        return process;
    }

    @Test
    void a_consumer_killed_mid_batch_and_restarted_at_once_drains_the_topic_with_the_default_lease() throws Exception {
        String redisUri = LocalServices.redis().uri();
        String topic = Kafka.topic("crash", 4);
        String group = Kafka.unique("crash-group");
        String prefix = Kafka.unique("dedup-crash-test") + ":";
        List<ProducerRecord<String, String>> records = new ArrayList<>();
        for (int i = 0; i < RECORDS; i++) {
            records.add(message(topic, i % 4, "key-" + i, "v" + i));
        }
        Kafka.send(records);
        Map<TopicPartition, Long> end = Kafka.endOffsets(topic);
        List<String> args = List.of(Kafka.broker().bootstrapServers(), topic, group, redisUri, prefix, "5");

        Process first = launch("first", args);
        await().atMost(Duration.ofSeconds(90)).until(() -> runs.get() >= 300 || !first.isAlive());
        assertThat(first.isAlive()).as("the first consumer runs").isTrue();
        first.destroyForcibly(); // SIGKILL, in the middle of a batch of up to 100 claimed records
        assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();

        long restart = System.nanoTime();
        Process second = launch("second", args);
        await().atMost(DEADLINE)
                .pollInterval(Duration.ofMillis(250))
                .until(() -> Kafka.committed(group, topic).equals(end) || !second.isAlive());
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restart);
        assertThat(second.isAlive()).as("the restarted consumer runs").isTrue();
        assertThat(Kafka.committed(group, topic)).isEqualTo(end); // lag zero
        System.out.printf(
                "crash recovery: lag back to zero %d ms after the restart (%d records, %d handler runs)%n",
                millis, RECORDS, runs.get());

        try (RedisDedupStore store = RedisDedupStore.builder(redisUri)
                .keyPrefix(prefix)
                .commandTimeout(Duration.ofSeconds(10)) // a loaded machine: this checks, it does not measure
                .build()) {
            for (int i = 0; i < RECORDS; i++) {
                String key = "key-" + i;
                assertThat(store.find(DedupKey.of(group, key))).as(key).hasValueSatisfying(r -> assertThat(r.state())
                        .isEqualTo(RecordState.COMPLETED));
            }
        }
        assertThat(ran).hasSize(RECORDS); // every record's handler ran (a killed run may repeat: G3)
    }
}
