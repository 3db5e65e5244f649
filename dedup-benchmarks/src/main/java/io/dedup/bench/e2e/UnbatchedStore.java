package io.dedup.bench.e2e;

import io.dedup.DedupKey;
import io.dedup.spi.ClaimRequest;
import io.dedup.spi.ClaimResult;
import io.dedup.spi.Completion;
import io.dedup.spi.DedupStore;
import io.dedup.spi.StoredRecord;
import io.dedup.spi.WriteResult;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A store with batching turned off: {@code claimAll} and {@code completeAll} fall back to the SPI's defaults,
 * one single-key call (one round trip) per message, while the runner above stays the same. This is the {@code
 * dedup-redis-single} arm's store, to show what batching buys. Thread-safe if the delegate is.
 */
public final class UnbatchedStore implements DedupStore {
    private final DedupStore delegate;

    /** Answers batches from {@code delegate} one key at a time. */
    public UnbatchedStore(DedupStore delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    @Override
    public ClaimResult claim(ClaimRequest request) {
        return delegate.claim(request);
    }

    @Override
    public WriteResult complete(Completion completion) {
        return delegate.complete(completion);
    }

    @Override
    public WriteResult renew(DedupKey key, long token, Duration lease) {
        return delegate.renew(key, token, lease);
    }

    @Override
    public WriteResult release(DedupKey key, long token, Duration retention) {
        return delegate.release(key, token, retention);
    }

    @Override
    public Optional<StoredRecord> find(DedupKey key) {
        return delegate.find(key);
    }

    @Override
    public String describe() {
        return "unbatched " + delegate.describe();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
