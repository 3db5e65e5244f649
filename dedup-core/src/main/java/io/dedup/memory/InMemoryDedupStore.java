package io.dedup.memory;

import io.dedup.Claim;
import io.dedup.DedupKey;
import io.dedup.DedupStoreFullException;
import io.dedup.spi.ClaimRequest;
import io.dedup.spi.ClaimResult;
import io.dedup.spi.Completion;
import io.dedup.spi.DedupStore;
import io.dedup.spi.ExpiredEntriesPurger;
import io.dedup.spi.RecordState;
import io.dedup.spi.StoredRecord;
import io.dedup.spi.WriteResult;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;

/**
 * A processed-keys store in this JVM's memory: the default when no store module is on the classpath. It protects
 * one process only (no two consumer processes share it) and forgets everything on restart.
 *
 * <p>Each operation is one atomic {@link ConcurrentHashMap#compute} on the key. Expiry is judged by the injected
 * {@link Clock}. Fencing tokens come from one store-wide counter, so they never repeat for any key. Expired
 * records are swept in amortised constant time as new keys arrive. With a maximum size, a claim of a new key when
 * the store is full of live records is refused with {@link DedupStoreFullException} rather than forgetting
 * completed keys.
 *
 * <p>Thread-safe. Its operations throw nothing beyond the SPI's argument checks, except {@link
 * DedupStoreFullException} for a new key when it is full; it is never unavailable.
 */
public final class InMemoryDedupStore implements DedupStore, ExpiredEntriesPurger {
    private final Clock clock;
    private final long maxEntries;
    private final ConcurrentHashMap<DedupKey, MemoryRecord> entries = new ConcurrentHashMap<>();
    private final AtomicLong tokens = new AtomicLong();
    private final ExpirySweeper sweeper = new ExpirySweeper();

    private static final byte[] NO_BODY = new byte[0];

    private InMemoryDedupStore(Clock clock, long maxEntries) {
        this.clock = clock;
        this.maxEntries = maxEntries;
    }

    /** An unbounded store on the system clock. */
    public static InMemoryDedupStore create() {
        return builder().build();
    }

    /** A builder for a bounded store or one on a test's clock. */
    public static Builder builder() {
        return new Builder();
    }

    /** Configures an {@link InMemoryDedupStore}. Not thread-safe. */
    public static final class Builder {
        private Clock clock = Clock.systemUTC();
        private long maxEntries = Long.MAX_VALUE;

        private Builder() {}

        /** The clock that judges leases and retention. Default: the system clock. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * The most live records kept; a new key beyond it is refused. Claims of different new keys racing each other
         * may exceed it by the number of claiming threads (the check is per key, not a global lock). Default:
         * unbounded.
         *
         * @throws IllegalArgumentException if {@code maxEntries} is below 1
         */
        public Builder maxEntries(long maxEntries) {
            if (maxEntries < 1) {
                throw new IllegalArgumentException("maxEntries must be at least 1, got " + maxEntries);
            }
            this.maxEntries = maxEntries;
            return this;
        }

        /** A new, empty store. */
        public InMemoryDedupStore build() {
            return new InMemoryDedupStore(clock, maxEntries);
        }
    }

    /**
     * Claims one key atomically.
     *
     * @throws DedupStoreFullException if the key is new, the store holds its maximum of live records, and a purge of
     *     expired ones freed no room
     */
    @Override
    public ClaimResult claim(ClaimRequest request) {
        Objects.requireNonNull(request, "request");
        ClaimResult answer = claim(request, false);
        if (answer == null) {
            // Full: purge outside compute. Purging inside it could unlink the very node being claimed (the claim
            // would answer Acquired while the map no longer holds the key) and could deadlock two claimers that
            // each purge the other's bin.
            purgeExpired(Integer.MAX_VALUE);
            answer = claim(request, true);
        }
        return answer;
    }

    /** One atomic claim; null when a new key finds the store full and {@code purged} is false. */
    private ClaimResult claim(ClaimRequest request, boolean purged) {
        DedupKey key = request.key();
        String fingerprint = request.fingerprint().orElse(null);
        long lease = request.lease().toMillis();
        long retention = request.retention().toMillis();
        ClaimResult[] answer = new ClaimResult[1];
        boolean[] inserted = new boolean[1];
        entries.compute(key, (k, e) -> {
            long now = clock.millis();
            if (e == null || e.expired(now)) {
                // an expired record is replaced in place, so only a key not in the map needs room
                if (e == null && maxEntries != Long.MAX_VALUE && entries.mappingCount() >= maxEntries) {
                    if (purged) {
                        throw new DedupStoreFullException("in-memory store holds its maximum of " + maxEntries
                                + " live records; new keys are refused until retention frees room");
                    }
                    return null; // absent stays absent; the caller purges and tries once more
                }
                inserted[0] = e == null;
                return acquire(key, 1, now, lease, retention, fingerprint, answer);
            }
            if (fingerprint != null && e.fingerprint() != null && !fingerprint.equals(e.fingerprint())) {
                answer[0] = new ClaimResult.Conflict(key);
                return e;
            }
            switch (e.state()) {
                case COMPLETED:
                    answer[0] = new ClaimResult.Duplicate(key, e.outcome());
                    return e;
                case IN_PROGRESS:
                    if (e.leaseUntil() > now) {
                        answer[0] = new ClaimResult.InProgress(key, Instant.ofEpochMilli(e.leaseUntil()), e.token());
                        return e;
                    }
                    return acquire(key, e.attempts() + 1, now, lease, retention, fingerprint, answer);
                default: // RELEASED
                    return acquire(key, e.attempts() + 1, now, lease, retention, fingerprint, answer);
            }
        });
        if (inserted[0]) {
            sweeper.noteExpiry(leaseEndPlus(answer[0], retention));
            sweeper.inserted(entries.mappingCount(), clock::millis, () -> purgeExpired(Integer.MAX_VALUE));
        }
        return answer[0];
    }

    private static long leaseEndPlus(ClaimResult result, long retention) {
        return result instanceof ClaimResult.Acquired a ? a.claim().leaseUntil().toEpochMilli() + retention : 0;
    }

    private MemoryRecord acquire(
            DedupKey key,
            int attempts,
            long now,
            long lease,
            long retention,
            String fingerprint,
            ClaimResult[] answer) {
        long token = tokens.incrementAndGet();
        long leaseUntil = now + lease;
        answer[0] = new ClaimResult.Acquired(new Claim(key, token, attempts, Instant.ofEpochMilli(leaseUntil)));
        return MemoryRecord.inProgress(token, attempts, leaseUntil, retention, fingerprint);
    }

    @Override
    public WriteResult complete(Completion completion) {
        Objects.requireNonNull(completion, "completion");
        long retention = completion.retention().toMillis();
        return ifHeld(completion.key(), completion.token(), (e, now) -> {
            byte[] body =
                    completion.body().length == 0 ? NO_BODY : completion.body().clone();
            sweeper.noteExpiry(now + retention);
            // leaseUntil keeps the completion time (see MemoryRecord)
            return new MemoryRecord(
                    RecordState.COMPLETED,
                    e.token(),
                    e.attempts(),
                    now,
                    now + retention,
                    e.fingerprint(),
                    completion.status(),
                    body);
        });
    }

    @Override
    public WriteResult renew(DedupKey key, long token, Duration lease) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(lease, "lease");
        return ifHeld(key, token, (e, now) -> {
            long leaseUntil = now + lease.toMillis();
            // the retention after the lease stays what the claim asked for
            long keepAfterLease = e.expiresAt() - e.leaseUntil();
            return MemoryRecord.inProgress(e.token(), e.attempts(), leaseUntil, keepAfterLease, e.fingerprint());
        });
    }

    @Override
    public WriteResult release(DedupKey key, long token, Duration retention) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(retention, "retention");
        return ifHeld(key, token, (e, now) -> {
            sweeper.noteExpiry(now + retention.toMillis());
            // kept, not removed, so that the next claim counts the attempt and still checks the fingerprint (tokens
            // need no keeping here: they come from a store-wide counter)
            return new MemoryRecord(
                    RecordState.RELEASED,
                    e.token(),
                    e.attempts(),
                    0,
                    now + retention.toMillis(),
                    e.fingerprint(),
                    null,
                    null);
        });
    }

    /**
     * Replaces {@code key}'s record by {@code change}'s, in one atomic step, if {@code token} holds it; applied or
     * fenced otherwise (also when the key is absent or expired).
     */
    private WriteResult ifHeld(DedupKey key, long token, BiFunction<MemoryRecord, Long, MemoryRecord> change) {
        boolean[] applied = new boolean[1];
        entries.computeIfPresent(key, (k, e) -> {
            long now = clock.millis();
            if (!e.heldBy(token, now)) {
                return e;
            }
            applied[0] = true;
            return change.apply(e, now);
        });
        return WriteResult.of(applied[0]);
    }

    @Override
    public Optional<StoredRecord> find(DedupKey key) {
        Objects.requireNonNull(key, "key");
        MemoryRecord e = entries.get(key);
        if (e == null || e.expired(clock.millis())) {
            return Optional.empty();
        }
        return Optional.of(e.toStored(key));
    }

    /**
     * Removes up to {@code maxEntries} expired records now, rather than waiting for the sweep new keys trigger.
     *
     * @throws IllegalArgumentException if {@code maxEntries} is below 1
     */
    @Override
    public int purgeExpired(int maxEntries) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be at least 1, got " + maxEntries);
        }
        long now = clock.millis();
        int removed = 0;
        for (Iterator<Map.Entry<DedupKey, MemoryRecord>> it = entries.entrySet().iterator();
                it.hasNext() && removed < maxEntries; ) {
            Map.Entry<DedupKey, MemoryRecord> next = it.next();
            if (next.getValue().expired(now)) {
                if (entries.remove(next.getKey(), next.getValue())) {
                    removed++;
                }
            } else {
                sweeper.noteExpiry(next.getValue().expiresAt());
            }
        }
        return removed;
    }

    /** Live and expired-but-not-yet-swept records. */
    public long size() {
        return entries.mappingCount();
    }

    /** Names the store in log and error messages. */
    @Override
    public String describe() {
        return "in-memory";
    }
}
