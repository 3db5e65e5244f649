package io.dedup.kafka;

import io.dedup.Claim;
import io.dedup.DedupStoreException;
import io.dedup.spi.DedupStore;
import io.dedup.spi.WriteResult;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the claims of one transaction alive: renews their leases every third of the lease until closed, and
 * remembers a claim whose renewal was refused (taken over by another worker), so that the transaction is not
 * committed for a key someone else now holds. For modes that claim through the store SPI directly, where core's
 * lease renewal does not reach.
 *
 * <p>Thread-safe.
 */
final class ClaimKeeper implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClaimKeeper.class);

    private final DedupStore store;
    private final Duration lease;
    private final List<Claim> claims;
    private final ConcurrentHashMap<Claim, Boolean> lost = new ConcurrentHashMap<>();
    private final ScheduledFuture<?> renewal;

    ClaimKeeper(DedupStore store, Duration lease, List<Claim> claims, ScheduledExecutorService executor) {
        this.store = store;
        this.lease = lease;
        this.claims = List.copyOf(claims);
        long period = Math.max(1, lease.toMillis() / 3);
        this.renewal = claims.isEmpty()
                ? null
                : executor.scheduleAtFixedRate(this::renew, period, period, TimeUnit.MILLISECONDS);
    }

    private void renew() {
        for (Claim claim : claims) {
            if (lost.containsKey(claim)) {
                continue;
            }
            try {
                if (store.renew(claim.key(), claim.token(), lease) != WriteResult.APPLIED) {
                    lost.put(claim, Boolean.TRUE);
                }
            } catch (DedupStoreException e) {
                LOG.debug("could not renew a lease, trying again next time: {}", e.toString());
            } catch (RuntimeException e) {
                LOG.warn("renewing a lease failed: {}", e.toString());
            }
        }
    }

    /** A claim that was taken over while this transaction ran, if any. */
    Optional<Claim> lost() {
        return lost.keySet().stream().findFirst();
    }

    @Override
    public void close() {
        if (renewal != null) {
            renewal.cancel(false);
        }
    }
}
