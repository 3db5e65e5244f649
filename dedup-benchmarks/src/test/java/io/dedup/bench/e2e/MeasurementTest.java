package io.dedup.bench.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class MeasurementTest {
    private static Measurement row(String arm, double msgsPerS, double p99) {
        return new Measurement(
                arm,
                "redis",
                "kafka",
                "dup0-noop",
                1000,
                1000 / msgsPerS,
                msgsPerS,
                10,
                p99,
                1.0,
                1000,
                1000,
                (long) p99,
                2,
                p99 / 10.0);
    }

    @Test
    void the_median_is_taken_column_by_column() {
        Measurement median = Measurement.median(
                List.of(row("camel-redis", 3000, 90), row("camel-redis", 1000, 10), row("camel-redis", 2000, 50)));

        assertThat(median.msgsPerS()).isEqualTo(2000);
        assertThat(median.p99us()).isEqualTo(50);
        assertThat(median.seconds()).isEqualTo(0.5);
        assertThat(median.arm()).isEqualTo("camel-redis");
        assertThat(median.jitMs()).isEqualTo(50);
        assertThat(median.figures())
                .isEqualTo("     2000 msgs/s  p50    10.0 us  p99     50.0 us  1.000 calls/msg  runs 1000/1000  (CPU"
                        + " 5.00 us/msg, JIT 50 ms, GC 2 ms)");
    }

    @Test
    void an_even_count_takes_the_mean_of_the_middle_two() {
        Measurement median = Measurement.median(List.of(row("a", 1000, 10), row("a", 3000, 30)));

        assertThat(median.msgsPerS()).isEqualTo(2000);
    }

    @Test
    void repetitions_of_different_arms_are_refused() {
        assertThatThrownBy(() -> Measurement.median(List.of(row("a", 1, 1), row("b", 1, 1))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("mix");
        assertThatThrownBy(() -> Measurement.median(List.of())).isInstanceOf(IllegalArgumentException.class);
    }
}
