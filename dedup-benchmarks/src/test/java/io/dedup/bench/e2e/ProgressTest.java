package io.dedup.bench.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class ProgressTest {
    @Test
    void waits_until_every_record_is_done_from_another_thread() throws Exception {
        Progress progress = new Progress(1000);
        Thread arm = new Thread(() -> {
            for (int i = 0; i < 1000; i++) {
                progress.delivered();
            }
        });
        arm.start();

        progress.awaitAll(Duration.ofSeconds(30));

        assertThat(progress.deliveredCount()).isEqualTo(1000);
        assertThat(progress.seconds()).isPositive();
        arm.join();
    }

    @Test
    void says_how_far_it_got_when_time_runs_out() {
        Progress progress = new Progress(10);
        progress.delivered(3);

        assertThatThrownBy(() -> progress.awaitAll(Duration.ofMillis(20)))
                .isInstanceOf(TimeoutException.class)
                .hasMessageContaining("only 3 of 10");
        assertThatThrownBy(progress::seconds).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void latency_percentiles_are_nearest_rank_in_microseconds() {
        LatencyRecorder recorder = new LatencyRecorder();
        assertThat(recorder.percentileMicros(0.5)).isZero();
        for (int i = 100_000; i >= 1; i--) {
            recorder.record(i * 1000L);
        }

        assertThat(recorder.count()).isEqualTo(100_000);
        assertThat(recorder.percentileMicros(0.50)).isEqualTo(50_000.0);
        assertThat(recorder.percentileMicros(0.99)).isEqualTo(99_000.0);
        assertThat(recorder.percentileMicros(1.0)).isEqualTo(100_000.0);
    }
}
