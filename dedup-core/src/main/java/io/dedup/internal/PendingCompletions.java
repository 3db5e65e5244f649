package io.dedup.internal;

import io.dedup.Claim;
import io.dedup.DedupKey;
import io.dedup.DedupStoreException;
import io.dedup.spi.Completion;
import io.dedup.spi.WriteResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Completions the store could not record (it was down when the handler finished). Their keys stay held by this
 * process, with leases renewed, and are recorded before the next claims, so that the redelivery of the message is
 * answered as a duplicate instead of waiting out its own lease and running the handler again.
 *
 * <p>Bounded: past {@link #MAX_PENDING} the oldest behaviour applies (the lease lapses and the redelivery runs the
 * handler again, as G3 allows). Thread-safe.
 */
final class PendingCompletions {
    static final int MAX_PENDING = 100_000;
    private static final Logger LOG = LoggerFactory.getLogger(PendingCompletions.class);

    private record Pending(Completion completion, LeaseRenewer.Ticket ticket) {}

    private final Map<DedupKey, Pending> pending = new ConcurrentHashMap<>();
    private final LeaseRenewer renewer;

    PendingCompletions(LeaseRenewer renewer) {
        this.renewer = renewer;
    }

    boolean isEmpty() {
        return pending.isEmpty();
    }

    /** Keeps a completion to record later; its lease is renewed meanwhile. */
    void add(Claim claim, Completion completion) {
        if (pending.size() >= MAX_PENDING) {
            LOG.warn(
                    "{} completions already wait for the store; this one is dropped and its lease will lapse",
                    MAX_PENDING);
            return;
        }
        LeaseRenewer.Ticket ticket = renewer == null ? null : renewer.register(claim);
        Pending previous = pending.put(completion.key(), new Pending(completion, ticket));
        if (previous != null && previous.ticket != null) {
            previous.ticket.close();
        }
    }

    /** Records what is pending; keeps it if the store is still down. Never throws. */
    void flush(StoreCalls store) {
        if (pending.isEmpty()) {
            return;
        }
        List<Pending> batch = new ArrayList<>(pending.values());
        List<Completion> completions = new ArrayList<>(batch.size());
        for (Pending p : batch) {
            completions.add(p.completion);
        }
        List<WriteResult> results;
        try {
            results = store.completeAll(completions);
        } catch (DedupStoreException e) {
            return; // still down: try again before the next claims
        }
        for (int i = 0; i < batch.size() && i < results.size(); i++) {
            if (!(results.get(i) instanceof WriteResult.Failed)) {
                Pending p = batch.get(i);
                if (pending.remove(p.completion.key(), p) && p.ticket != null) {
                    p.ticket.close();
                }
            }
        }
    }

    void clear() {
        pending.values().forEach(p -> {
            if (p.ticket != null) {
                p.ticket.close();
            }
        });
        pending.clear();
    }
}
