package io.dedup.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.dedup.Claim;
import io.dedup.DedupKey;
import io.dedup.MutableTestClock;
import io.dedup.memory.InMemoryDedupStore;
import io.dedup.spi.ClaimRequest;
import io.dedup.spi.ClaimResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The renewer tracks a batch's claims as one registration: each ticket still stops only its own claim's renewal, a
 * ticket closed twice counts once, and the registration leaves the scan with its last ticket. An hour's lease keeps
 * the renewer's own thread from ticking during a test (its first tick comes after a quarter of the renewal interval,
 * 225 s); the tests call {@link LeaseRenewer#renewDue} themselves and judge leases by the store's clock, which they
 * move, so nothing depends on how fast the machine is.
 */
class LeaseRenewerTest {
    private static final Duration LEASE = Duration.ofHours(1);
    /** Renewal is due a quarter of the lease after the claim: 15 minutes. */
    private static final double RENEW_FRACTION = 0.25;

    private final MutableTestClock clock = new MutableTestClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final InMemoryDedupStore store =
            InMemoryDedupStore.builder().clock(clock).build();
    private final LeaseRenewer renewer =
            new LeaseRenewer(new StoreCalls(store, DedupMetrics.NOOP), LEASE, RENEW_FRACTION, DedupMetrics.NOOP);

    @AfterEach
    void close() {
        renewer.close();
    }

    private List<Claim> claim(String... keys) {
        List<Claim> claims = new ArrayList<>();
        for (String key : keys) {
            ClaimResult answer = store.claim(ClaimRequest.of(DedupKey.of("renewer", key), LEASE, Duration.ofHours(1)));
            claims.add(((ClaimResult.Acquired) answer).claim());
        }
        return claims;
    }

    /** A moment the given minutes ago by this process's clock, as {@link LeaseRenewer#registerAll} takes it. */
    private static long minutesAgo(long minutes) {
        return System.nanoTime() - TimeUnit.MINUTES.toNanos(minutes);
    }

    private Instant leaseUntil(Claim claim) {
        return store.find(claim.key()).orElseThrow().leaseUntil().orElseThrow();
    }

    /** Moves the store's clock a second on, then renews what is due: a renewed lease ends a second later. */
    private void renewASecondLater() {
        clock.advance(Duration.ofSeconds(1));
        renewer.renewDue();
    }

    @Test
    void each_ticket_of_a_registration_stops_only_its_own_claims_renewal() {
        List<Claim> claims = claim("a", "b", "c");
        List<LeaseRenewer.Ticket> tickets = renewer.registerAll(claims, minutesAgo(16)); // due for renewal
        tickets.get(1).close();
        renewASecondLater();
        assertThat(leaseUntil(claims.get(0)))
                .isEqualTo(claims.get(0).leaseUntil().plusSeconds(1));
        assertThat(leaseUntil(claims.get(2)))
                .isEqualTo(claims.get(2).leaseUntil().plusSeconds(1));
        assertThat(leaseUntil(claims.get(1)))
                .as("the closed ticket's claim")
                .isEqualTo(claims.get(1).leaseUntil());
        assertThat(tickets).noneMatch(LeaseRenewer.Ticket::lost);
    }

    @Test
    void a_ticket_closed_twice_counts_once_so_its_partner_stays_renewed() {
        List<Claim> claims = claim("first", "second");
        List<LeaseRenewer.Ticket> tickets = renewer.registerAll(claims, minutesAgo(16));
        tickets.get(0).close();
        tickets.get(0).close(); // a batch closes every ticket on its way out, including those closed before
        assertThat(renewer.tracked()).isEqualTo(1);
        renewASecondLater();
        assertThat(leaseUntil(claims.get(1)))
                .isEqualTo(claims.get(1).leaseUntil().plusSeconds(1));
    }

    @Test
    void a_registration_leaves_the_scan_with_its_last_ticket() {
        List<LeaseRenewer.Ticket> batch = renewer.registerAll(claim("x", "y"), System.nanoTime());
        LeaseRenewer.Ticket single = renewer.register(claim("z").get(0));
        assertThat(renewer.registerAll(List.of(), System.nanoTime())).isEmpty();
        assertThat(renewer.tracked()).isEqualTo(2);
        batch.get(0).close();
        assertThat(renewer.tracked()).isEqualTo(2);
        batch.get(1).close();
        single.close();
        assertThat(renewer.tracked()).isZero();
    }

    @Test
    void the_lease_counts_from_when_the_claims_were_asked_for() {
        LeaseRenewer.Ticket old =
                renewer.registerAll(claim("old"), minutesAgo(61)).get(0);
        LeaseRenewer.Ticket due =
                renewer.registerAll(claim("due"), minutesAgo(16)).get(0);
        LeaseRenewer.Ticket fresh =
                renewer.registerAll(claim("new"), System.nanoTime()).get(0);
        assertThat(old.expired()).as("asked for more than a lease ago").isTrue();
        assertThat(due.expired()).isFalse();
        assertThat(fresh.expired()).isFalse();
    }
}
