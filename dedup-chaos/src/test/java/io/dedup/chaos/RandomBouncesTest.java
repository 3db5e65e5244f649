package io.dedup.chaos;

import io.dedup.chaos.ChaosRun.Mode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Kafka's own exactly-once standard, applied here: consumers bounced with SIGKILL three times in each fifth of the
 * run (by progress, at seeded random points), each replaced at once, while two consume.
 */
class RandomBouncesTest {
    @Test
    void leased_mode_on_redis_loses_nothing_under_fifteen_hard_bounces() throws Exception {
        try (ChaosRun run = ChaosRun.start("random-bounces", Mode.LEASED, "redis")) {
            bounce(run);
            run.finishAndCheck();
        }
    }

    @Test
    void transactional_mode_on_postgres_stays_exactly_once_under_fifteen_hard_bounces() throws Exception {
        try (ChaosRun run = ChaosRun.start("random-bounces", Mode.TRANSACTIONAL, "postgres")) {
            bounce(run);
            run.finishAndCheck();
        }
    }

    static void bounce(ChaosRun run) throws Exception {
        int keys = run.profile.bounceKeys();
        // Slow handlers stretch the run over the fifteen restarts, so that kills land inside handlers.
        run.set("handlerMillis", String.valueOf(Math.max(run.profile.handlerMillis(), 60)));
        run.publish(keys);
        List<Integer> thresholds = new ArrayList<>();
        for (int fifth = 0; fifth < 5; fifth++) {
            for (int i = 0; i < 3; i++) {
                thresholds.add(fifth * keys / 5 + run.random.nextInt(Math.max(1, keys / 5)));
            }
        }
        Collections.sort(thresholds);
        run.startConsumer();
        run.startConsumer();
        for (int threshold : thresholds) {
            run.awaitProgress(threshold, run.profile.drainTimeout());
            List<ChildConsumer> live = run.live();
            ChildConsumer victim = live.get(run.random.nextInt(live.size()));
            int progress = run.progress();
            run.kill(victim);
            System.out.printf(
                    "CHAOS %s: SIGKILL %s at %d of %d keys (planned %d)%n",
                    run.scenario, victim.id(), progress, keys, threshold);
            run.startConsumer(Map.of());
        }
        run.awaitProgress(keys, run.profile.drainTimeout());
    }
}
