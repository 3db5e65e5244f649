package io.dedup.rabbitmq.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** How long a delivery whose key is held elsewhere waits before it comes back. */
class DeferralDelayTest {
    private static final Duration BASE = Duration.ofSeconds(1);
    private static final Instant NOW = Instant.parse("2026-12-02T05:00:00Z");

    @Test
    void the_delay_doubles_with_each_deferral_while_the_holders_lease_lasts() {
        Instant leaseEnd = NOW.plusSeconds(60);
        assertThat(Verdict.deferral(BASE, 0, leaseEnd, NOW)).isEqualTo(Duration.ofSeconds(1));
        assertThat(Verdict.deferral(BASE, 1, leaseEnd, NOW)).isEqualTo(Duration.ofSeconds(2));
        assertThat(Verdict.deferral(BASE, 3, leaseEnd, NOW)).isEqualTo(Duration.ofSeconds(8));
    }

    @Test
    void the_delay_ends_just_after_the_holders_lease_so_the_next_look_takes_the_key_over() {
        Instant leaseEnd = NOW.plusMillis(12_300);
        Duration margin = Verdict.LEASE_END_MARGIN;
        assertThat(Verdict.deferral(BASE, 4, leaseEnd, NOW))
                .isEqualTo(Duration.ofMillis(12_300).plus(margin));
        assertThat(Verdict.deferral(BASE, 1_000, leaseEnd, NOW))
                .as("no overflow however often it was deferred")
                .isEqualTo(Duration.ofMillis(12_300).plus(margin));
    }

    @Test
    void a_lease_that_just_ended_or_a_clock_that_is_off_never_makes_a_hot_loop() {
        assertThat(Verdict.deferral(BASE, 0, NOW.minusSeconds(5), NOW)).isEqualTo(Verdict.MIN_DEFERRAL);
        assertThat(Verdict.deferral(Duration.ofMillis(20), 0, NOW.minusSeconds(5), NOW))
                .as("a configured delay shorter than the floor is kept")
                .isEqualTo(Duration.ofMillis(20));
    }
}
