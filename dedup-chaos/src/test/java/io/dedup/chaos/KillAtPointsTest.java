package io.dedup.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.dedup.chaos.ChaosRun.Mode;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * SIGKILL at chosen points of a message's path: after the claim, in the middle of the handler, after the effect
 * before the completion, after the completion before the ack. Each round starts a consumer armed to hold at the
 * n-th pass of a point, kills it there, and goes on; the next consumer takes over what the killed one held once its
 * lease lapses. The drain then finishes the run with a clean consumer.
 */
class KillAtPointsTest {
    @Test
    void leased_mode_on_redis_repeats_only_the_effects_of_attempts_killed_after_their_effect() throws Exception {
        try (ChaosRun run = ChaosRun.start("kill-at-points", Mode.LEASED, "redis")) {
            Map<String, KillPoint> victims = killAtEveryPoint(run);
            ChaosRun.Result result = run.finishAndCheck();
            Map<String, Integer> effects = effectsPerKey(run);
            victims.forEach((key, point) -> {
                if (point == KillPoint.AFTER_EFFECT) {
                    assertThat(effects.get(key))
                            .as("effects of %s killed %s", key, point)
                            .isGreaterThanOrEqualTo(2);
                }
            });
            assertThat(result.row().duplicateEffects()).isGreaterThanOrEqualTo(run.profile.faultRounds());
        }
    }

    @Test
    void transactional_mode_on_postgres_applies_every_effect_exactly_once() throws Exception {
        try (ChaosRun run = ChaosRun.start("kill-at-points", Mode.TRANSACTIONAL, "postgres")) {
            Map<String, KillPoint> victims = killAtEveryPoint(run);
            run.finishAndCheck();
            Map<String, Integer> effects = effectsPerKey(run);
            victims.forEach((key, point) -> assertThat(effects.get(key))
                    .as("effects of %s killed %s", key, point)
                    .isEqualTo(1));
        }
    }

    /** Kills a consumer at each point, faultRounds times; returns the key each kill held, and where. */
    static Map<String, KillPoint> killAtEveryPoint(ChaosRun run) throws Exception {
        return killAt(run, java.util.List.of(KillPoint.values()), run.profile.faultRounds());
    }

    static Map<String, KillPoint> killAt(ChaosRun run, java.util.List<KillPoint> points, int rounds) throws Exception {
        run.publish(run.profile.keys());
        Map<String, KillPoint> victims = new LinkedHashMap<>();
        for (int round = 0; round < rounds; round++) {
            for (KillPoint point : points) {
                int nth = 1 + run.random.nextInt(8);
                ChildConsumer armed = run.startConsumer(Map.of("arm", point.label() + ":" + nth));
                String line = armed.awaitLine("AT " + point.label(), Duration.ofSeconds(60));
                run.kill(armed);
                String key = line.split(" ")[2];
                victims.put(key, point);
                System.out.printf("CHAOS %s: SIGKILL %s at %s holding %s%n", run.scenario, armed.id(), point, key);
            }
        }
        return victims;
    }

    static Map<String, Integer> effectsPerKey(ChaosRun run) throws Exception {
        Map<String, Integer> counts = new LinkedHashMap<>();
        run.ledger.effects().forEach(e -> counts.merge(e.key(), 1, Integer::sum));
        return counts;
    }
}
