package io.dedup.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.dedup.chaos.ChaosRun.Mode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The Kafka scenarios, on the suite's own KRaft broker (a child JVM) with the {@code KafkaDedupRunner} in child
 * consumer JVMs: leased mode on Redis, and the Kafka-to-database mode (claims, effects, completions and offsets in
 * one PostgreSQL transaction). Three partitions; duplicates land on other partitions too.
 */
class KafkaChaosTest {
    private static final int PARTITIONS = 3;

    @Test
    void leased_runner_killed_at_chosen_points() throws Exception {
        try (ChaosRun run = ChaosRun.onKafka("kill-at-points", Mode.LEASED, "redis", PARTITIONS, Map.of())) {
            KillAtPointsTest.killAt(run, List.of(KillPoint.values()), 1);
            run.finishAndCheck();
        }
    }

    @Test
    void kafka_to_database_runner_killed_at_chosen_points() throws Exception {
        try (ChaosRun run = ChaosRun.onKafka("kill-at-points", Mode.TRANSACTIONAL, "postgres", PARTITIONS, Map.of())) {
            // After the commit the offsets are already in the database: there is no "before the commit" point.
            KillAtPointsTest.killAt(
                    run, List.of(KillPoint.AFTER_CLAIM, KillPoint.MID_HANDLER, KillPoint.AFTER_EFFECT), 1);
            run.finishAndCheck();
        }
    }

    @Test
    void leased_runner_under_fifteen_hard_bounces() throws Exception {
        try (ChaosRun run = ChaosRun.onKafka("random-bounces", Mode.LEASED, "redis", PARTITIONS, Map.of())) {
            RandomBouncesTest.bounce(run);
            run.finishAndCheck();
        }
    }

    @Test
    void kafka_to_database_runner_under_fifteen_hard_bounces() throws Exception {
        try (ChaosRun run = ChaosRun.onKafka("random-bounces", Mode.TRANSACTIONAL, "postgres", PARTITIONS, Map.of())) {
            RandomBouncesTest.bounce(run);
            run.finishAndCheck();
        }
    }

    @EveryMode
    void the_runner_rides_out_broker_kills(Mode mode, String store) throws Exception {
        try (ChaosRun run = ChaosRun.onKafka("kafka-broker-kill", mode, store, PARTITIONS, Map.of())) {
            run.underFaults(2, run.profile.faultRounds(), round -> {
                System.out.printf("CHAOS %s: broker SIGKILL at %d keys%n", run.scenario, run.progress());
                run.kafka.kafka().kill();
                Pause.millis(1000 + run.random.nextInt(2000));
                run.kafka.kafka().restart();
            });
        }
    }

    @Test
    void leased_runner_dead_letters_tombstones_and_keyless_records_and_keeps_going() throws Exception {
        try (ChaosRun run = ChaosRun.onKafka("hostile-input", Mode.LEASED, "redis", PARTITIONS, Map.of())) {
            byte[] invalidUtf8 = {(byte) 0xC3, 0x28, (byte) 0xFF};
            run.publish(List.of(
                    new Workload.Message(0, null, Map.of(), "{\"id\":\"tombstone-key\"}".getBytes()),
                    new Workload.Message(1, "tombstone-1", Map.of(), null),
                    new Workload.Message(2, null, Map.of("idempotency-key", ""), "{}".getBytes()),
                    new Workload.Message(0, null, Map.of("idempotency-key", invalidUtf8), "{}".getBytes())));
            run.expectBinaryKey("invalid-utf8-key", invalidUtf8); // stored in the binary key space, never as text
            run.publish(run.profile.keys() / 2);
            run.startConsumer();
            run.awaitProgress(run.keys().size(), run.profile.drainTimeout());
            ChaosRun.Result result = run.finish();
            assertThat(result.deadLettered())
                    .as("missing key, tombstone, empty key")
                    .isEqualTo(3);
            assertThat(result.row().lost()).isZero();
            assertThat(result.row().duplicateEffects()).isZero();
            assertThat(result.row().stuckInProgress()).isZero();
            assertThat(result.waitingAfterStop()).isZero();
        }
    }
}
