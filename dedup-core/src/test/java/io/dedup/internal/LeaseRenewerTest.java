package io.dedup.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dedup.Claim;
import io.dedup.DedupKey;
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
 * ticket closed twice counts once, and the registration leaves the scan with its last ticket. Real clock, short
 * leases; the tests wait for conditions.
 */
class LeaseRenewerTest {
    private static final Duration LEASE = Duration.ofMillis(400);

    private final InMemoryDedupStore store = InMemoryDedupStore.create();
    private final LeaseRenewer renewer =
            new LeaseRenewer(new StoreCalls(store, DedupMetrics.NOOP), LEASE, 0.25, DedupMetrics.NOOP);

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

    private Instant leaseUntil(Claim claim) {
        return store.find(claim.key()).orElseThrow().leaseUntil().orElseThrow();
    }

    @Test
    void each_ticket_of_a_registration_stops_only_its_own_claims_renewal() {
        List<Claim> claims = claim("a", "b", "c");
        List<LeaseRenewer.Ticket> tickets = renewer.registerAll(claims, System.nanoTime());
        tickets.get(1).close();
        await().atMost(Duration.ofSeconds(20))
                .until(() -> leaseUntil(claims.get(0)).isAfter(claims.get(0).leaseUntil())
                        && leaseUntil(claims.get(2)).isAfter(claims.get(2).leaseUntil()));
        assertThat(leaseUntil(claims.get(1)))
                .as("the closed ticket's claim")
                .isEqualTo(claims.get(1).leaseUntil());
        assertThat(tickets).noneMatch(LeaseRenewer.Ticket::lost);
    }

    @Test
    void a_ticket_closed_twice_counts_once_so_its_partner_stays_renewed() {
        List<Claim> claims = claim("first", "second");
        List<LeaseRenewer.Ticket> tickets = renewer.registerAll(claims, System.nanoTime());
        tickets.get(0).close();
        tickets.get(0).close(); // a batch closes every ticket on its way out, including those closed before
        assertThat(renewer.tracked()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> leaseUntil(claims.get(1)).isAfter(claims.get(1).leaseUntil()));
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
        List<Claim> claims = claim("old");
        long askedLongAgo = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(LEASE.toMillis() + 100);
        LeaseRenewer.Ticket ticket = renewer.registerAll(claims, askedLongAgo).get(0);
        // Past its lease by this process's clock the moment it is registered (or already found lost by a renewal,
        // which a store refuses once the lease ran out by the store's clock).
        assertThat(ticket.expired() || ticket.lost()).isTrue();
        LeaseRenewer.Ticket fresh =
                renewer.registerAll(claim("new"), System.nanoTime()).get(0);
        assertThat(fresh.expired()).isFalse();
    }
}
