package io.dedup.internal;

import io.dedup.Claim;
import io.dedup.spi.WriteResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renews the leases of handlers that run longer than a fraction of their lease. One daemon thread, started on
 * first use, scans the running claims; registering a batch's claims is one set insertion for all of them, and
 * closing a ticket one atomic decrement, so short handlers pay almost nothing. A renewal refused as fenced marks the
 * ticket lost: the handler's completion will be refused too.
 *
 * <p>Renewal does not make a worker safe by itself: a worker paused past its lease (GC, SIGSTOP) misses its renewals
 * and is taken over. The fencing token is what protects the key then; renewal only keeps an alive, slow handler from
 * being taken over needlessly.
 *
 * <p>Thread-safe.
 */
final class LeaseRenewer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LeaseRenewer.class);

    private final StoreCalls store;
    private final Duration lease;
    private final long renewAfterNanos;
    private final long tickNanos;
    private final long leaseNanos;
    private final DedupMetrics metrics;
    /** The groups with a ticket still open; a group leaves when its last ticket closes. */
    private final Set<Group> running = ConcurrentHashMap.newKeySet();

    private ScheduledExecutorService executor;
    private boolean closed;

    LeaseRenewer(StoreCalls store, Duration lease, double renewFraction, DedupMetrics metrics) {
        this.store = store;
        this.lease = lease;
        this.renewAfterNanos = Math.max(1, (long) (lease.toNanos() * renewFraction));
        this.leaseNanos = lease.toNanos();
        // a few ticks per renewal interval, so a claim is renewed at most a quarter interval late; never below 5 ms,
        // which would spin on a very short test lease
        this.tickNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(5), renewAfterNanos / 4);
        this.metrics = metrics;
    }

    /**
     * The tickets registered together: one batch's claims, taken at one moment. Tracked as one set element rather
     * than one per claim, since a batch holds hundreds of claims and most handlers finish long before any renewal.
     */
    private final class Group {
        private final Ticket[] tickets;
        /** Tickets not closed yet; the group leaves the scan when it reaches 0. */
        private volatile int open;

        private Group(List<Claim> claims, long askedAtNanos) {
            this.tickets = new Ticket[claims.size()];
            for (int i = 0; i < tickets.length; i++) {
                tickets[i] = new Ticket(claims.get(i), this, askedAtNanos);
            }
            this.open = tickets.length;
        }

        /** One of its tickets closed (each counts once); the last one takes the group out of the scan. */
        private void ticketClosed() {
            if (OPEN.decrementAndGet(this) == 0) {
                running.remove(this);
            }
        }
    }

    private static final AtomicIntegerFieldUpdater<Group> OPEN =
            AtomicIntegerFieldUpdater.newUpdater(Group.class, "open");

    private static final AtomicIntegerFieldUpdater<Ticket> CLOSED =
            AtomicIntegerFieldUpdater.newUpdater(Ticket.class, "closed");

    /** A running handler's claim. Close it when the handler returns. */
    public final class Ticket implements AutoCloseable {
        private final Claim claim;
        private final Group group;
        private volatile long lastRenewedNanos;
        private volatile boolean lost;
        /** 1 once closed; a close counts towards its group only the first time. */
        private volatile int closed;

        private Ticket(Claim claim, Group group, long registeredNanos) {
            this.claim = claim;
            this.group = group;
            this.lastRenewedNanos = registeredNanos;
        }

        /**
         * Whether the lease has run out by this process's clock: no renewal succeeded for a whole lease. Measured
         * from the moment the claim was asked for (or from {@link #register}) or the last renewal was, so for a
         * claim asked for at registration or before it errs early, never late.
         */
        public boolean expired() {
            return System.nanoTime() - lastRenewedNanos >= leaseNanos;
        }

        /** Whether a renewal was refused because another worker took the key over. */
        public boolean lost() {
            return lost;
        }

        /** Stops renewing this claim. Idempotent. */
        @Override
        public void close() {
            if (CLOSED.compareAndSet(this, 0, 1)) {
                group.ticketClosed();
            }
        }
    }

    /** Starts renewing {@code claim}'s lease; the returned ticket stops it and tells whether the lease was lost. */
    public Ticket register(Claim claim) {
        return track(new Group(List.of(claim), System.nanoTime())).tickets[0];
    }

    /**
     * Starts renewing every one of {@code claims}' leases: one ticket per claim, in order, each stopping its own
     * claim's renewal.
     *
     * @param askedAtNanos when the claims were asked for ({@link System#nanoTime}): their leases count from then
     */
    public List<Ticket> registerAll(List<Claim> claims, long askedAtNanos) {
        if (claims.isEmpty()) {
            return List.of(); // a group nobody can close would stay in the scan for good
        }
        return List.of(track(new Group(claims, askedAtNanos)).tickets);
    }

    /** Puts {@code group} in the scan before any of its tickets is handed out, so a ticket closed at once finds it. */
    private Group track(Group group) {
        running.add(group);
        ensureStarted();
        return group;
    }

    /** How many registrations still have an open ticket; for tests. */
    int tracked() {
        return running.size();
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

    /**
     * Renews every claim that has run past the renewal point, all of them in one {@code renewAll} call. Runs on the
     * renewer thread; public for tests.
     */
    public void renewDue() {
        long now = System.nanoTime();
        List<Ticket> due = new ArrayList<>();
        List<Claim> claims = new ArrayList<>();
        for (Group group : running) {
            for (Ticket ticket : group.tickets) {
                if (ticket.closed == 0 && !ticket.lost && now - ticket.lastRenewedNanos >= renewAfterNanos) {
                    due.add(ticket);
                    claims.add(ticket.claim);
                }
            }
        }
        if (due.isEmpty()) {
            return;
        }
        List<WriteResult> results;
        try {
            results = store.renewAll(claims, lease);
        } catch (RuntimeException e) {
            // the store is down: the leases still run by the store's clock, so the next tick tries again; a holder
            // that stays unrenewed for a whole lease sees its ticket expired()
            LOG.warn("renewing {} leases failed, will retry: {}", due.size(), e.toString());
            return;
        }
        for (int i = 0; i < due.size() && i < results.size(); i++) {
            Ticket ticket = due.get(i);
            WriteResult result = results.get(i);
            if (result == WriteResult.APPLIED) {
                ticket.lastRenewedNanos = now;
                metrics.leaseRenewed();
            } else if (result == WriteResult.FENCED) {
                ticket.lost = true;
                metrics.fenced(DedupMetrics.StoreOperation.RENEW);
                LOG.warn(
                        "lease on key {} (token {}) was taken over by another consumer while this one held it",
                        ticket.claim.key(),
                        ticket.claim.token());
            } // a per-key failure: the next tick tries again
        }
    }

    /** Stops the renewer thread; the claims it held lapse after their lease, unless completed or released first. */
    @Override
    public synchronized void close() {
        closed = true;
        if (executor != null) {
            executor.shutdownNow();
        }
        running.clear();
    }
}
