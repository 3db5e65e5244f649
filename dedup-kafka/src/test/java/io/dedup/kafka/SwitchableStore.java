package io.dedup.kafka;

import io.dedup.DedupKey;
import io.dedup.DedupStoreUnavailableException;
import io.dedup.spi.ClaimRequest;
import io.dedup.spi.ClaimResult;
import io.dedup.spi.Completion;
import io.dedup.spi.DedupStore;
import io.dedup.spi.StoredRecord;
import io.dedup.spi.WriteResult;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fault injector around a real store: while {@link #down} is set every call fails with {@link
 * DedupStoreUnavailableException}, as a store in an outage does. Counts round trips.
 */
final class SwitchableStore implements DedupStore {
    private final DedupStore delegate;
    private volatile boolean down;
    /** Claim round trips: claim and claimAll calls (core claims a batch of one key with claim). */
    final AtomicInteger claimAllCalls = new AtomicInteger();
    /** Completion round trips: complete and completeAll calls. */
    final AtomicInteger completeAllCalls = new AtomicInteger();

    final AtomicInteger failedCalls = new AtomicInteger();

    SwitchableStore(DedupStore delegate) {
        this.delegate = delegate;
    }

    void down(boolean down) {
        this.down = down;
    }

    private void check() {
        if (down) {
            failedCalls.incrementAndGet();
            throw new DedupStoreUnavailableException("store switched off by the test");
        }
    }

    @Override
    public ClaimResult claim(ClaimRequest request) {
        check();
        claimAllCalls.incrementAndGet();
        return delegate.claim(request);
    }

    @Override
    public List<ClaimResult> claimAll(List<ClaimRequest> requests) {
        check();
        claimAllCalls.incrementAndGet();
        return delegate.claimAll(requests);
    }

    @Override
    public WriteResult complete(Completion completion) {
        check();
        completeAllCalls.incrementAndGet();
        return delegate.complete(completion);
    }

    @Override
    public List<WriteResult> completeAll(List<Completion> completions) {
        check();
        completeAllCalls.incrementAndGet();
        return delegate.completeAll(completions);
    }

    @Override
    public WriteResult renew(DedupKey key, long token, Duration lease) {
        check();
        return delegate.renew(key, token, lease);
    }

    @Override
    public WriteResult release(DedupKey key, long token, Duration retention) {
        check();
        return delegate.release(key, token, retention);
    }

    @Override
    public Optional<StoredRecord> find(DedupKey key) {
        check();
        return delegate.find(key);
    }

    @Override
    public <T> Optional<T> capability(Class<T> type) {
        return delegate.capability(type);
    }

    @Override
    public String describe() {
        return "switchable " + delegate.describe();
    }
}
