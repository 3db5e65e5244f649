package io.dedup.bench.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class TargetsTest {
    private static Measurement row(String arm, String workload, double msgsPerS, double callsPerMsg) {
        return new Measurement(arm, "x", "kafka", workload, 1000, 1, msgsPerS, 0, 0, callsPerMsg, 1000, 1000, 0, 0, 0);
    }

    @Test
    void reads_the_ratios_of_one_run_workload_by_workload() {
        List<Targets.Check> checks = Targets.check(List.of(
                row("baseline", "dup0-noop", 100_000, 0),
                row("dedup-redis", "dup0-noop", 60_000, 0.004),
                row("camel-redis", "dup0-noop", 5_000, 1.001),
                row("redis-ceiling", "dup0-noop", 150_000, 0.004),
                row("dedup-memory", "dup0-noop", 85_000, 0.004),
                row("dedup-jdbc", "dup0-noop", 20_000, 0.06)));

        assertThat(checks)
                .containsExactly(
                        new Targets.Check("dedup-redis / camel-redis >= 10", "dup0-noop", 12.0, true),
                        new Targets.Check("dedup-redis / redis-ceiling >= 0.5", "dup0-noop", 0.4, false),
                        new Targets.Check("dedup-redis / baseline >= 0.5", "dup0-noop", 0.6, true),
                        new Targets.Check("dedup-memory / baseline >= 0.6", "dup0-noop", 0.85, true),
                        new Targets.Check("dedup-memory store calls/msg < 0.05", "dup0-noop", 0.004, true),
                        new Targets.Check("dedup-redis store calls/msg < 0.05", "dup0-noop", 0.004, true),
                        new Targets.Check("dedup-jdbc store calls/msg < 0.05", "dup0-noop", 0.06, false));
        assertThat(Targets.markdown(checks))
                .contains("| dedup-redis / camel-redis >= 10 | dup0-noop | 12.00x | yes |")
                .contains("| dedup-memory / baseline >= 0.6 | dup0-noop | 0.85x | yes |")
                .contains("| dedup-jdbc store calls/msg < 0.05 | dup0-noop | 0.060 | **no** |");
    }

    @Test
    void holds_the_database_workloads_to_issue_15s_ratios_and_not_to_a_call_count() {
        List<Targets.Check> checks = Targets.check(List.of(
                row("baseline", "dup0-pg", 4_000, 0),
                row("dedup-memory", "dup0-pg", 3_900, 0.05),
                row("dedup-jdbc", "dup0-pg", 3_000, 0.06),
                row("baseline", "dup20-pg", 4_000, 0),
                row("dedup-memory", "dup20-pg", 3_700, 0.04),
                row("dedup-jdbc", "dup20-pg", 3_000, 0.06)));

        // completions go out every few ms as slow handlers finish, so no call count; jdbc's ratio only on dup0-pg
        assertThat(checks)
                .containsExactly(
                        new Targets.Check("dedup-memory / baseline >= 0.95", "dup0-pg", 0.975, true),
                        new Targets.Check("dedup-jdbc / baseline >= 0.9", "dup0-pg", 0.75, false),
                        new Targets.Check("dedup-memory / baseline >= 0.95", "dup20-pg", 0.925, false));
    }

    @Test
    void a_run_without_the_arms_of_a_target_has_no_check_for_it() {
        assertThat(Targets.check(List.of(row("baseline", "dup0-noop", 1, 0)))).isEmpty();
        assertThat(Targets.markdown(List.of())).isEmpty();
    }
}
