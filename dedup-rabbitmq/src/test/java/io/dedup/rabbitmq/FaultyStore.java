package io.dedup.rabbitmq;

import io.dedup.DedupKey;
import io.dedup.DedupStoreUnavailableException;
import io.dedup.memory.InMemoryDedupStore;
import io.dedup.spi.ClaimRequest;
import io.dedup.spi.ClaimResult;
import io.dedup.spi.Completion;
import io.dedup.spi.DedupStore;
import io.dedup.spi.StoredRecord;
import io.dedup.spi.WriteResult;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/** The in-memory store behind a switch that makes every call fail as unavailable, as a real outage would. */
final class FaultyStore implements DedupStore {
    private final DedupStore delegate = InMemoryDedupStore.create();
    private final AtomicBoolean down = new AtomicBoolean();
    private final AtomicInteger refused = new AtomicInteger();
    private final AtomicInteger claimRoundTrips = new AtomicInteger();

    void down(boolean isDown) {
        down.set(isDown);
    }

    /** Calls refused while down. */
    int refused() {
        return refused.get();
    }

    /** claimAll calls that reached the store. */
    int claimRoundTrips() {
        return claimRoundTrips.get();
    }

    private void check() {
        if (down.get()) {
            refused.incrementAndGet();
            throw new DedupStoreUnavailableException("store switched off by the test");
        }
    }

    @Override
    public ClaimResult claim(ClaimRequest request) {
        check();
        return delegate.claim(request);
    }

    @Override
    public List<ClaimResult> claimAll(List<ClaimRequest> requests) {
        check();
        claimRoundTrips.incrementAndGet();
        return delegate.claimAll(requests);
    }

    @Override
    public WriteResult complete(Completion completion) {
        check();
        return delegate.complete(completion);
    }

    @Override
    public List<WriteResult> completeAll(List<Completion> completions) {
        check();
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
}
