package io.dedup.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.dedup.chaos.ChaosRun.Mode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Kill mid-handler with steps, leased mode on Redis: the handler works in two checkpointed steps (a logged "prepare",
 * then the effect). Consumers are killed with SIGKILL between the steps and inside the effect step after its effect;
 * the takeover repeats at most the step in flight, so repeated step effects per kill are at most one. One handler
 * thread per consumer (one queue on RabbitMQ), so each kill cuts at most one step.
 */
class StepsChaosTest {
    private static final List<KillPoint> POINTS = List.of(KillPoint.MID_HANDLER, KillPoint.AFTER_EFFECT);

    @Test
    void rabbitmq_leased_consumer_killed_mid_handler_with_steps_repeats_at_most_one_step_per_kill() throws Exception {
        try (ChaosRun run = ChaosRun.start("kill-mid-steps", Mode.LEASED, "redis", 1, Map.of("steps", "true"))) {
            check(run);
        }
    }

    @Test
    void kafka_leased_runner_killed_mid_handler_with_steps_repeats_at_most_one_step_per_kill() throws Exception {
        try (ChaosRun run = ChaosRun.onKafka("kill-mid-steps", Mode.LEASED, "redis", 3, Map.of("steps", "true"))) {
            check(run);
        }
    }

    private static void check(ChaosRun run) throws Exception {
        Map<String, KillPoint> victims = KillAtPointsTest.killAt(run, POINTS, run.profile.faultRounds());
        int kills = POINTS.size() * run.profile.faultRounds();
        run.finishAndCheck();
        Map<String, Integer> effects = KillAtPointsTest.effectsPerKey(run);
        Map<String, Integer> prepares = run.ledger.eventsPerKey(SteppedWork.PREPARE_EVENT);
        victims.forEach((key, point) -> {
            assertThat(prepares.get(key))
                    .as("the recorded first step of %s, killed %s, is replayed, not repeated", key, point)
                    .isEqualTo(1);
            if (point == KillPoint.AFTER_EFFECT) {
                assertThat(effects.get(key))
                        .as("the effect step of %s, killed inside it, runs again", key)
                        .isGreaterThanOrEqualTo(2);
            }
        });
        int repeated = 0;
        for (String key : run.keys()) {
            repeated += Math.max(0, prepares.getOrDefault(key, 0) - 1) + Math.max(0, effects.getOrDefault(key, 0) - 1);
        }
        System.out.printf("CHAOS %s: %d kills, %d repeated step effects%n", run.scenario, kills, repeated);
        assertThat(repeated).as("repeated step effects, at most one per kill").isLessThanOrEqualTo(kills);
    }
}
