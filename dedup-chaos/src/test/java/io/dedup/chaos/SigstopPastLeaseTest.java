package io.dedup.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.dedup.chaos.ChaosRun.Mode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * SIGSTOP a consumer in the middle of a handler for longer than its lease (a long GC pause, a frozen VM), let a
 * second consumer take the key over, then SIGCONT the first: the stale worker must be fenced.
 */
class SigstopPastLeaseTest {
    @Test
    void leased_mode_on_redis_fences_the_stale_worker_completion() throws Exception {
        try (ChaosRun run = ChaosRun.start("sigstop-past-lease", Mode.LEASED, "redis", 3, Map.of())) {
            run.workQueues(2);
            run.publish(run.profile.keys());
            for (int round = 0; round < run.profile.faultRounds(); round++) {
                String key = stopTakeOverResume(run);
                ChildConsumer stale = run.live().get(0);
                stale.awaitLine("FENCED " + key, Duration.ofSeconds(60));
            }
            ChaosRun.Result result = run.finishAndCheck();
            assertThat(result.fencedCompletions()).isGreaterThanOrEqualTo(run.profile.faultRounds());
        }
    }

    @Test
    void transactional_mode_on_postgres_refuses_the_stale_worker_effect() throws Exception {
        // A stopped worker holds its transaction, and so its keys' row locks; the session timeout ends it.
        try (ChaosRun run = ChaosRun.start(
                "sigstop-past-lease", Mode.TRANSACTIONAL, "postgres", 3, Map.of("idleInTransactionMillis", "3000"))) {
            run.workQueues(2);
            run.publish(run.profile.keys());
            for (int round = 0; round < run.profile.faultRounds(); round++) {
                stopTakeOverResume(run);
            }
            run.finishAndCheck();
        }
    }

    /**
     * Stops a consumer holding a key mid-handler, publishes another copy of that key, waits until a second consumer
     * wrote the key's effect under a newer claim, and resumes the first. Returns the key.
     */
    static String stopTakeOverResume(ChaosRun run) throws Exception {
        run.stopAll();
        // The stale worker takes the workload's queues; its successor only the third queue, where the key's
        // copy goes, so that the successor does not drain the workload before the next round.
        List<String> queues = run.queues.names();
        ChildConsumer stale = run.startConsumer(Map.of(
                "arm", "mid-handler:" + (1 + run.random.nextInt(5)), "queues", queues.get(0) + "," + queues.get(1)));
        String key = stale.awaitLine("AT mid-handler", Duration.ofSeconds(60)).split(" ")[2];
        stale.pause();
        stale.send("RELEASE"); // read when it runs again
        System.out.printf("CHAOS %s: SIGSTOP %s holding %s%n", run.scenario, stale.id(), key);
        ChildConsumer successor = run.startConsumer(Map.of("queues", queues.get(2)));
        run.publish(List.of(new Workload.Message(2, key)));
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (run.ledger.effects().stream()
                .noneMatch(e -> e.key().equals(key) && e.consumer().equals(successor.id()))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(successor.id() + " did not take " + key + " over\n" + successor.logTail());
            }
            Pause.millis(100);
        }
        stale.resume();
        System.out.printf("CHAOS %s: %s took %s over; SIGCONT %s%n", run.scenario, successor.id(), key, stale.id());
        successor.stop(Duration.ofSeconds(30));
        return key;
    }
}
