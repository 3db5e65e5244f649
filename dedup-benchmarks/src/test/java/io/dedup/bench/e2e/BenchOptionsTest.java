package io.dedup.bench.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BenchOptionsTest {
    @Test
    void quick_mode_is_small_with_one_repetition() {
        BenchOptions quick = BenchOptions.parse("--quick");

        assertThat(quick.quick()).isTrue();
        assertThat(quick.messages()).isEqualTo(50_000);
        assertThat(quick.dbMessages()).isEqualTo(2_000);
        assertThat(quick.slowMessages()).isEqualTo(4_000);
        assertThat(quick.repetitions()).isEqualTo(1);
        assertThat(quick.selectedWorkloads())
                .extracting(Workload::name)
                .containsExactly("dup0-noop", "dup20-noop", "replay-noop", "dup0-pg", "dup20-pg", "replay-pg");
    }

    @Test
    void the_full_mode_runs_200k_records_three_times() {
        BenchOptions full = BenchOptions.parse();

        assertThat(full.quick()).isFalse();
        assertThat(full.messages()).isEqualTo(200_000);
        assertThat(full.repetitions()).isEqualTo(3);
    }

    @Test
    void options_override_the_mode() {
        BenchOptions options = BenchOptions.parse(
                "--quick",
                "--messages",
                "500",
                "--repetitions",
                "2",
                "--arms",
                "baseline,camel-redis",
                "--workloads",
                "replay-pg",
                "--out",
                "/tmp/x");

        assertThat(options.messages()).isEqualTo(500);
        assertThat(options.repetitions()).isEqualTo(2);
        assertThat(options.arms()).isEqualTo(Set.of("baseline", "camel-redis"));
        assertThat(options.selectedWorkloads()).extracting(Workload::name).containsExactly("replay-pg");
        assertThat(options.output()).isEqualTo(Path.of("/tmp/x"));
        assertThat(Arms.select(options.arms())).extracting(Arm::name).containsExactly("baseline", "camel-redis");
    }

    @Test
    void bad_command_lines_are_refused_with_the_usage() {
        assertThatThrownBy(() -> BenchOptions.parse("--fast"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Usage");
        assertThatThrownBy(() -> BenchOptions.parse("--messages", "-3"))
                .hasMessageContaining("--messages needs a positive number");
        assertThatThrownBy(() -> BenchOptions.parse("--workloads", "nope").selectedWorkloads())
                .hasMessageContaining("no workload");
        assertThatThrownBy(() -> Arms.select(Set.of("camel-nope"))).hasMessageContaining("unknown arm camel-nope");
    }
}
