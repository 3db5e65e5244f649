package io.dedup;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.dedup.spi.Checks;
import io.dedup.spi.ClaimRequest;
import io.dedup.spi.ClaimResult;
import io.dedup.spi.Completion;
import io.dedup.spi.DedupStore;
import io.dedup.spi.RecordState;
import io.dedup.spi.StoredRecord;
import io.dedup.spi.WriteResult;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A store decorator that answers duplicates of recently completed keys from local memory, saving the remote round
 * trip during replays. It caches COMPLETED keys only (never absent, held or released ones, which would be unsafe
 * to answer locally), and evicts a key locally when this process releases it.
 *
 * <p>A local entry never outlives the remote record it stands for: a key this process completed is kept for the
 * shorter of the local TTL and the completion's retention, counted from before the completion was sent; a duplicate
 * answered by the store is looked up once more ({@link DedupStore#find}) and kept no later than the record's own
 * expiry, with the record's stored fingerprint (not the request's), so a fingerprinted claim is answered locally
 * exactly as the store would answer it. Requires Caffeine on the classpath.
 *
 * <p>What it trades: expiry is judged by this process's clock against the store's, so clocks apart by more than a
 * small margin shift it (keep the local TTL short if they may be); and a record deleted remotely before its expiry
 * (by an operator) is still answered as a duplicate until the local entry ends. The first duplicate of a key
 * completed elsewhere costs one extra lookup.
 *
 * <p>Thread-safe when the delegate is.
 */
public final class NearCachedStore implements DedupStore {
    /**
     * A completed key answered locally until {@code expiresAtMillis}. {@code fingerprintKnown} is false for keys
     * this process completed (a completion carries no fingerprint), so fingerprinted claims of them ask the store.
     */
    private record Cached(
            io.dedup.Outcome outcome, Optional<String> fingerprint, boolean fingerprintKnown, long expiresAtMillis) {}

    private final DedupStore delegate;
    private final Cache<DedupKey, Cached> cache;
    private final long ttlMillis;
    private final Clock clock;

    private NearCachedStore(DedupStore delegate, long maxKeys, Duration ttl, Clock clock) {
        this.delegate = delegate;
        this.ttlMillis = ttl.toMillis();
        this.clock = clock;
        this.cache = Caffeine.newBuilder().maximumSize(maxKeys).build();
    }

    /**
     * @param delegate the remote store
     * @param maxKeys the most completed keys kept locally
     * @param ttl how long a completed key is answered locally at most (also bounded by the key's retention)
     * @throws IllegalArgumentException if {@code maxKeys} or {@code ttl} is not positive
     */
    public static NearCachedStore wrap(DedupStore delegate, long maxKeys, Duration ttl) {
        return wrap(delegate, maxKeys, ttl, Clock.systemUTC());
    }

    /** {@link #wrap(DedupStore, long, Duration)} with the clock that judges local expiry. */
    public static NearCachedStore wrap(DedupStore delegate, long maxKeys, Duration ttl, Clock clock) {
        Objects.requireNonNull(delegate, "delegate");
        Objects.requireNonNull(clock, "clock");
        if (maxKeys < 1) {
            throw new IllegalArgumentException("maxKeys must be positive, got " + maxKeys);
        }
        return new NearCachedStore(delegate, maxKeys, Checks.positive(ttl, "ttl"), clock);
    }

    private ClaimResult local(ClaimRequest request) {
        Cached cached = cache.getIfPresent(request.key());
        if (cached == null) {
            return null;
        }
        if (cached.expiresAtMillis <= clock.millis()) {
            cache.invalidate(request.key());
            return null;
        }
        if (request.fingerprint().isPresent() && cached.fingerprint.isPresent()) {
            if (!request.fingerprint().equals(cached.fingerprint)) {
                return new ClaimResult.Conflict(request.key());
            }
        } else if (request.fingerprint().isPresent() && !cached.fingerprintKnown) {
            return null; // cannot judge a conflict locally: ask the store, which has the fingerprint
        }
        return new ClaimResult.Duplicate(request.key(), cached.outcome);
    }

    /** After a remote duplicate: caches the stored record, bounded by its own expiry. */
    private void remember(ClaimResult result) {
        if (!(result instanceof ClaimResult.Duplicate)) {
            return;
        }
        long asked = clock.millis();
        Optional<StoredRecord> found;
        try {
            found = delegate.find(result.key());
        } catch (DedupStoreException e) {
            return; // the store's answer stands; the key is simply not cached this time
        }
        found.filter(r -> r.state() == RecordState.COMPLETED && r.outcome().isPresent())
                .ifPresent(r -> cache.put(
                        result.key(),
                        new Cached(
                                r.outcome().get(),
                                r.fingerprint(),
                                true,
                                Math.min(asked + ttlMillis, r.expiresAt().toEpochMilli()))));
    }

    @Override
    public ClaimResult claim(ClaimRequest request) {
        ClaimResult local = local(request);
        if (local != null) {
            return local;
        }
        ClaimResult result = delegate.claim(request);
        remember(result);
        return result;
    }

    @Override
    public List<ClaimResult> claimAll(List<ClaimRequest> requests) {
        List<ClaimResult> results = new ArrayList<>(requests.size());
        List<ClaimRequest> remote = new ArrayList<>();
        List<Integer> remoteIndex = new ArrayList<>();
        Set<DedupKey> remoteKeys = new HashSet<>();
        for (int i = 0; i < requests.size(); i++) {
            // once a key goes to the store, its later repeats do too: answered locally, a repeat would be judged
            // before an earlier element of the batch (which may acquire the key once its record expired)
            ClaimResult local = remoteKeys.contains(requests.get(i).key()) ? null : local(requests.get(i));
            results.add(local);
            if (local == null) {
                remoteKeys.add(requests.get(i).key());
                remote.add(requests.get(i));
                remoteIndex.add(i);
            }
        }
        if (!remote.isEmpty()) {
            List<ClaimResult> answered = delegate.claimAll(remote);
            for (int r = 0; r < remote.size(); r++) {
                results.set(remoteIndex.get(r), answered.get(r));
                remember(answered.get(r));
            }
        }
        return results;
    }

    @Override
    public WriteResult complete(Completion completion) {
        long sent = clock.millis();
        WriteResult result = delegate.complete(completion);
        rememberCompleted(completion, result, sent);
        return result;
    }

    @Override
    public List<WriteResult> completeAll(List<Completion> completions) {
        long sent = clock.millis();
        List<WriteResult> results = delegate.completeAll(completions);
        for (int i = 0; i < completions.size() && i < results.size(); i++) {
            rememberCompleted(completions.get(i), results.get(i), sent);
        }
        return results;
    }

    /**
     * The store applied the completion no earlier than {@code sent}, so its record lives at least until {@code sent}
     * plus the retention; the local entry ends no later.
     */
    private void rememberCompleted(Completion completion, WriteResult result, long sent) {
        if (result != WriteResult.APPLIED) {
            return;
        }
        long expires = sent + Math.min(ttlMillis, completion.retention().toMillis());
        cache.put(
                completion.key(),
                new Cached(
                        io.dedup.Outcome.wrap(
                                completion.status(), completion.body(), java.time.Instant.ofEpochMilli(sent)),
                        Optional.empty(),
                        false,
                        expires));
    }

    @Override
    public WriteResult renew(DedupKey key, long token, Duration lease) {
        return delegate.renew(key, token, lease);
    }

    @Override
    public WriteResult release(DedupKey key, long token, Duration retention) {
        cache.invalidate(key);
        return delegate.release(key, token, retention);
    }

    @Override
    public Optional<StoredRecord> find(DedupKey key) {
        return delegate.find(key);
    }

    @Override
    public <T> Optional<T> capability(Class<T> type) {
        return type.isInstance(this) ? Optional.of(type.cast(this)) : delegate.capability(type);
    }

    @Override
    public String describe() {
        return "near-cached " + delegate.describe();
    }

    @Override
    public void close() {
        cache.invalidateAll();
        delegate.close();
    }
}
