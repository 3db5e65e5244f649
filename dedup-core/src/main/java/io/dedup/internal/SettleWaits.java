package io.dedup.internal;

import io.dedup.DedupKey;
import io.dedup.spi.ClaimRequest;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The wait of a batch claimed behind another ({@link DedupEngine#claimAllBehind}): until every entry of the earlier
 * batch that claimed one of its keys is settled (completed, released, or left to its lease), so that the later batch
 * never meets the pipeline's own claims as held by someone else. An entry whose claim the store never answered holds
 * nothing and is not waited for; the wait ends when the earlier batch has closed in any case.
 *
 * <p>Not thread-safe on its own: every method runs under the earlier batch's lock ({@code monitor}), which is also
 * what its entries change state under.
 */
final class SettleWaits {
    /** Threads waiting: only then does settling an entry notify. */
    private int waiters;
    /** The batch's close has written and released all it will: nothing of it is waited for any more. */
    private boolean closed;

    /** An entry of the batch settled; called under {@code monitor}. */
    void settled(Object monitor) {
        if (waiters > 0) {
            monitor.notifyAll();
        }
    }

    /** The batch finished closing. */
    void closed(Object monitor) {
        synchronized (monitor) {
            closed = true;
            monitor.notifyAll();
        }
    }

    /** Waits until {@code items}' entries holding the keys of {@code requests} settled. An interrupt is kept. */
    void await(Object monitor, BatchEntries<?> items, List<ClaimRequest> requests) {
        synchronized (monitor) {
            if (closed) {
                return; // the common case once batches outpace their claims: nothing held, no keys to hash
            }
        }
        Set<DedupKey> keys = new HashSet<>(requests.size() * 2);
        requests.forEach(request -> keys.add(request.key()));
        boolean interrupted = false;
        synchronized (monitor) {
            waiters++;
            try {
                for (int at = items.firstHolding(keys, 0); at >= 0 && !closed; at = items.firstHolding(keys, at)) {
                    monitor.wait();
                }
            } catch (InterruptedException e) {
                interrupted = true;
            } finally {
                waiters--;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
