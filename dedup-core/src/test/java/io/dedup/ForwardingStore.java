package io.dedup;

import io.dedup.spi.ClaimRequest;
import io.dedup.spi.ClaimResult;
import io.dedup.spi.Completion;
import io.dedup.spi.DedupStore;
import io.dedup.spi.StoredRecord;
import io.dedup.spi.WriteResult;
import java.time.Duration;
import java.util.Optional;

/** Forwards every call, for test stores that change one thing. */
class ForwardingStore implements DedupStore {
    private final DedupStore delegate;

    ForwardingStore(DedupStore delegate) {
        this.delegate = delegate;
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
}
