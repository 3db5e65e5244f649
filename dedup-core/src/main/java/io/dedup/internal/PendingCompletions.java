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
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Completions the store could not record (it was down when the handler finished). Their keys stay held by this
 * process, leases renewed, and a background task writes them, with a back-off that grows while the store stays
 * down, as soon as the store answers: not only on this consumer's next call, which may never come when its
 * partitions moved or its queue consumer was cancelled. Until then every other consumer defers the key; after, the
 * redelivery is answered as a duplicate instead of running the handler again.
 *
 * <p>A completion whose lease can no longer be renewed (taken over, or no renewal got through for a whole lease) is
 * dropped and counted: the key is then retried after its lease, as G3 allows, and never renewed for ever. Bounded:
 * past {@link #MAX_PENDING} a completion is dropped the same way.
 *
 * <p>Thread-safe.
 */
final class PendingCompletions implements AutoCloseable {
    static final int MAX_PENDING = 100_000;
    static final long FIRST_RETRY_MILLIS = 50;
    static final long MAX_RETRY_MILLIS = 5_000;
    private static final Logger LOG = LoggerFactory.getLogger(PendingCompletions.class);

    private record Pending(Completion completion, LeaseRenewer.Ticket ticket, long deadlineNanos) {
        /** Whether the key can no longer be ours: its lease was taken over or has run out. */
        boolean lapsed(long now) {
            if (ticket != null) {
                return ticket.lost() || ticket.expired();
            }
            return now - deadlineNanos >= 0;
        }
    }

    private final Map<DedupKey, Pending> pending = new ConcurrentHashMap<>();
    private final LeaseRenewer renewer;
    private final long leaseNanos;
    private final DedupMetrics metrics;
    private final StoreCalls store;
    private ScheduledExecutorService executor;
    private ScheduledFuture<?> scheduled;
    private long retryMillis = FIRST_RETRY_MILLIS;
    private boolean closed;

    PendingCompletions(StoreCalls store, LeaseRenewer renewer, long leaseNanos, DedupMetrics metrics) {
        this.store = store;
        this.renewer = renewer;
        this.leaseNanos = leaseNanos;
        this.metrics = metrics;
    }

    boolean isEmpty() {
        return pending.isEmpty();
    }

    int size() {
        return pending.size();
    }

    /**
     * Keeps a completion to record later. {@code ticket} is the claim's running lease renewal, handed over (null to
     * register a new one).
     */
    void add(Claim claim, Completion completion, LeaseRenewer.Ticket ticket) {
        if (pending.size() >= MAX_PENDING) {
            if (ticket != null) {
                ticket.close();
            }
            metrics.completionDropped();
            LOG.warn(
                    "{} completions already wait for the store; one more is dropped and its key is retried after its"
                            + " lease",
                    MAX_PENDING);
            return;
        }
        LeaseRenewer.Ticket renewal = ticket != null ? ticket : renewer == null ? null : renewer.register(claim);
        Pending previous =
                pending.put(completion.key(), new Pending(completion, renewal, System.nanoTime() + leaseNanos));
        if (previous != null && previous.ticket != null && previous.ticket != renewal) {
            previous.ticket.close();
        }
        schedule(true);
    }

    /** Records what is pending; keeps what the store did not take. Never throws. Returns whether any is left. */
    boolean flush() {
        if (pending.isEmpty()) {
            return false;
        }
        long now = System.nanoTime();
        List<Pending> batch = new ArrayList<>(pending.size());
        for (Pending p : pending.values()) {
            if (p.lapsed(now)) {
                drop(p);
            } else {
                batch.add(p);
            }
        }
        if (batch.isEmpty()) {
            return !pending.isEmpty();
        }
        List<Completion> completions = new ArrayList<>(batch.size());
        for (Pending p : batch) {
            completions.add(p.completion);
        }
        List<WriteResult> results;
        try {
            results = store.completeAll(completions);
        } catch (DedupStoreException e) {
            return true; // still down: the background task tries again after its back-off
        }
        int recorded = 0;
        for (int i = 0; i < batch.size() && i < results.size(); i++) {
            if (!(results.get(i) instanceof WriteResult.Failed)) {
                Pending p = batch.get(i);
                if (pending.remove(p.completion.key(), p)) {
                    closeTicket(p);
                    recorded++;
                }
            }
        }
        if (recorded > 0) {
            LOG.info("recorded {} completions that waited for the store", recorded);
        }
        return !pending.isEmpty();
    }

    private void drop(Pending p) {
        if (pending.remove(p.completion.key(), p)) {
            closeTicket(p);
            metrics.completionDropped();
            LOG.warn(
                    "gave up recording the completion of key {} (token {}): its lease could not be renewed; the key is"
                            + " retried after its lease",
                    p.completion.key(),
                    p.completion.token());
        }
    }

    private static void closeTicket(Pending p) {
        if (p.ticket != null) {
            p.ticket.close();
        }
    }

    /** Schedules the background flush; {@code reset} restarts the back-off (a new completion arrived). */
    private synchronized void schedule(boolean reset) {
        if (closed) {
            return;
        }
        if (reset) {
            retryMillis = FIRST_RETRY_MILLIS;
        }
        if (scheduled != null && !scheduled.isDone()) {
            return;
        }
        if (executor == null) {
            executor = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread thread = new Thread(r, "dedup-pending-completions");
                thread.setDaemon(true);
                return thread;
            });
        }
        scheduled = executor.schedule(this::background, retryMillis, TimeUnit.MILLISECONDS);
    }

    private void background() {
        boolean left;
        try {
            left = flush();
        } catch (RuntimeException e) {
            LOG.warn("recording pending completions failed, will retry: {}", e.toString());
            left = true;
        }
        synchronized (this) {
            scheduled = null;
            if (left) {
                retryMillis = Math.min(MAX_RETRY_MILLIS, retryMillis * 2);
            }
        }
        if (left) {
            schedule(false);
        }
    }

    /** Tries once more, then stops the background task; what is still pending is retried after its lease. */
    @Override
    public void close() {
        flush();
        synchronized (this) {
            closed = true;
            if (executor != null) {
                executor.shutdownNow();
            }
        }
        pending.values().forEach(PendingCompletions::closeTicket);
        pending.clear();
    }
}
