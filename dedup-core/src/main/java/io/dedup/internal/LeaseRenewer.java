package io.dedup.internal;

import io.dedup.Claim;
import io.dedup.spi.DedupStore;
import io.dedup.spi.WriteResult;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renews the leases of handlers that run longer than a fraction of their lease. One daemon thread, started on
 * first use, scans the running claims; registering a claim is a set insertion, so short handlers pay almost
 * nothing. A renewal refused as fenced marks the ticket lost: the handler's completion will be refused too.
 *
 * <p>Thread-safe.
 */
public final class LeaseRenewer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LeaseRenewer.class);

    private final DedupStore store;
    private final Duration lease;
    private final long renewAfterNanos;
    private final long tickNanos;
    private final DedupMetrics metrics;
    private final Set<Ticket> running = ConcurrentHashMap.newKeySet();
    private ScheduledExecutorService executor;
    private boolean closed;

    public LeaseRenewer(DedupStore store, Duration lease, double renewFraction, DedupMetrics metrics) {
        this.store = store;
        this.lease = lease;
        this.renewAfterNanos = Math.max(1, (long) (lease.toNanos() * renewFraction));
        this.tickNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(5), renewAfterNanos / 4);
        this.metrics = metrics;
    }

    /** A running handler's claim. Close it when the handler returns. */
    public final class Ticket implements AutoCloseable {
        private final Claim claim;
        private volatile long lastRenewedNanos;
        private volatile boolean lost;

        private Ticket(Claim claim) {
            this.claim = claim;
            this.lastRenewedNanos = System.nanoTime();
        }

        /** Whether a renewal was refused because another worker took the key over. */
        public boolean lost() {
            return lost;
        }

        @Override
        public void close() {
            running.remove(this);
        }
    }

    public Ticket register(Claim claim) {
        Ticket ticket = new Ticket(claim);
        running.add(ticket);
        ensureStarted();
        return ticket;
    }

    private void ensureStarted() {
        if (executor != null) {
            return;
        }
        synchronized (this) {
            if (executor == null && !closed) {
                ScheduledExecutorService started = Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread thread = new Thread(r, "dedup-lease-renewer");
                    thread.setDaemon(true);
                    return thread;
                });
                started.scheduleWithFixedDelay(this::renewDue, tickNanos, tickNanos, TimeUnit.NANOSECONDS);
                executor = started;
            }
        }
    }

    /** Renews every claim that has run past the renewal point. Runs on the renewer thread; public for tests. */
    public void renewDue() {
        long now = System.nanoTime();
        for (Ticket ticket : running) {
            if (ticket.lost || now - ticket.lastRenewedNanos < renewAfterNanos) {
                continue;
            }
            try {
                WriteResult result = store.renew(ticket.claim.key(), ticket.claim.token(), lease);
                if (result == WriteResult.APPLIED) {
                    ticket.lastRenewedNanos = now;
                    metrics.leaseRenewed();
                } else {
                    ticket.lost = true;
                    metrics.fenced(DedupMetrics.StoreOperation.RENEW);
                    LOG.warn(
                            "lease on a key of namespace {} (token {}) was taken over while its handler ran",
                            ticket.claim.key().namespace(),
                            ticket.claim.token());
                }
            } catch (RuntimeException e) {
                LOG.warn("lease renewal failed, will retry: {}", e.toString());
            }
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (executor != null) {
            executor.shutdownNow();
        }
        running.clear();
    }
}
