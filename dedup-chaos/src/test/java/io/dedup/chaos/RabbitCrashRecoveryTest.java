package io.dedup.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dedup.DedupSettings;
import io.dedup.chaos.ChaosRun.Mode;
import io.dedup.rabbitmq.RabbitDedupBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Crash recovery on RabbitMQ with the default lease and redelivery delay: a consumer on the Redis store is killed
 * with SIGKILL in the middle of a batch (its other claims of the batch still held) and a new one starts at once. The
 * dead consumer's deliveries come back at once, their keys are held until its leases end, and the new consumer
 * defers them with a growing delay capped by each holder's lease end, so the queue drains about when those leases
 * end: well under a minute with the 30 s default, where the 5-minute lease of old took 305 s. The time is printed,
 * not asserted; the deadline is generous.
 */
class RabbitCrashRecoveryTest {
    @Test
    void a_consumer_killed_mid_batch_and_restarted_at_once_drains_its_queue_once_the_dead_consumers_leases_end()
            throws Exception {
        Map<String, String> defaults = Map.of(
                "leaseMillis", String.valueOf(DedupSettings.DEFAULT_LEASE.toMillis()),
                "redeliveryMillis", String.valueOf(RabbitDedupBuilder.DEFAULT_REDELIVERY_DELAY.toMillis()));
        String logLevel = System.getProperty("chaos.childLogLevel");
        System.setProperty("chaos.childLogLevel", "info"); // to count core's "key ... is held" lines
        try (ChaosRun run = ChaosRun.start("rabbit-crash-recovery", Mode.LEASED, "redis", 1, defaults)) {
            int keys = run.profile.keys();
            run.publish(keys);
            int nth = 5 + run.random.nextInt(10); // inside the first batch of the prefetch window (20)
            ChildConsumer doomed = run.startConsumer(Map.of("arm", KillPoint.MID_HANDLER.label() + ":" + nth));
            doomed.awaitLine("AT " + KillPoint.MID_HANDLER.label(), Duration.ofSeconds(60));
            run.kill(doomed);
            long killedAt = System.nanoTime();
            ChildConsumer restarted = run.startConsumer();
            long readyAt = System.nanoTime();

            await().atMost(Duration.ofMinutes(3))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> run.progress() >= keys && run.broker.waiting() == 0);
            long drainedAt = System.nanoTime();
            System.out.printf(
                    "CHAOS %s: %d keys; SIGKILL at the %d-th handler; restarted consumer ready after %d ms; queue"
                            + " drained %.1f s after the kill (lease %s, redelivery delay %s)%n",
                    run.scenario,
                    keys,
                    nth,
                    (readyAt - killedAt) / 1_000_000,
                    (drainedAt - killedAt) / 1e9,
                    DedupSettings.DEFAULT_LEASE,
                    RabbitDedupBuilder.DEFAULT_REDELIVERY_DELAY);

            long heldLines = Files.readAllLines(restarted.log(), StandardCharsets.UTF_8).stream()
                    .filter(line -> line.contains("is held by another consumer's claim"))
                    .count();
            System.out.printf(
                    "CHAOS %s: %d 'key is held' lines in the restarted consumer's log%n", run.scenario, heldLines);
            assertThat(heldLines)
                    .as("one line per held key, not one per redelivery (the dead consumer held at most a batch)")
                    .isBetween(1L, 20L);
            run.finishAndCheck();
        } finally {
            if (logLevel == null) {
                System.clearProperty("chaos.childLogLevel");
            } else {
                System.setProperty("chaos.childLogLevel", logLevel);
            }
        }
    }
}
