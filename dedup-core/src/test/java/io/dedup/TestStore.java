package io.dedup;

import io.dedup.spi.ClaimRequest;
import io.dedup.spi.ClaimResult;
import io.dedup.spi.Completion;
import io.dedup.spi.DedupStore;
import io.dedup.spi.StoredRecord;
import io.dedup.spi.WriteResult;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * A real in-memory store behind a fault switch and round-trip counters: the unit tests' way to make a store go
 * down or answer with a corrupt record, and to count round trips.
 */
final class TestStore implements DedupStore {
    final DedupStore delegate;
    final AtomicInteger claims = new AtomicInteger();
    final AtomicInteger claimAlls = new AtomicInteger();
    final AtomicInteger completes = new AtomicInteger();
    final AtomicInteger completeAlls = new AtomicInteger();
    final AtomicInteger releases = new AtomicInteger();
    volatile boolean claimsDown;
    volatile boolean writesDown;
    volatile boolean corrupt;
    /** The next this many complete/completeAll calls fail as if the store were down. */
    final AtomicInteger completionFailures = new AtomicInteger();
    /** Thrown, once, by the next complete/completeAll call: a store (or driver) bug, not an outage. */
    final AtomicReference<Error> completionError = new AtomicReference<>();
    /** Counted down when {@link #completionError} was thrown. */
    final CountDownLatch completionErrorThrown = new CountDownLatch(1);
    /** Thrown by every complete/completeAll call while set: a driver that fails with an error rather than an exception. */
    volatile Error completionErrors;

    final AtomicInteger renewAlls = new AtomicInteger();

    TestStore(DedupStore delegate) {
        this.delegate = delegate;
    }

    private <T> T guard(boolean down, Supplier<T> call) {
        if (down) {
            throw new DedupStoreUnavailableException("test store is down");
        }
        return call.get();
    }

    @Override
    public ClaimResult claim(ClaimRequest request) {
        claims.incrementAndGet();
        if (corrupt) {
            throw new DedupStoreCorruptionException(request.key(), "planted by the test");
        }
        return guard(claimsDown, () -> delegate.claim(request));
    }

    @Override
    public List<ClaimResult> claimAll(List<ClaimRequest> requests) {
        claimAlls.incrementAndGet();
        return guard(claimsDown, () -> delegate.claimAll(requests));
    }

    private void throwCompletionError() {
        Error always = completionErrors;
        if (always != null) {
            throw always;
        }
        Error error = completionError.getAndSet(null);
        if (error != null) {
            completionErrorThrown.countDown();
            throw error;
        }
    }

    @Override
    public WriteResult complete(Completion completion) {
        completes.incrementAndGet();
        throwCompletionError();
        return guard(
                writesDown || completionFailures.getAndUpdate(n -> Math.max(0, n - 1)) > 0,
                () -> delegate.complete(completion));
    }

    @Override
    public List<WriteResult> completeAll(List<Completion> completions) {
        completeAlls.incrementAndGet();
        throwCompletionError();
        return guard(
                writesDown || completionFailures.getAndUpdate(n -> Math.max(0, n - 1)) > 0,
                () -> delegate.completeAll(completions));
    }

    @Override
    public WriteResult renew(DedupKey key, long token, Duration lease) {
        return guard(writesDown, () -> delegate.renew(key, token, lease));
    }

    @Override
    public List<WriteResult> renewAll(List<Claim> claims, Duration lease) {
        renewAlls.incrementAndGet();
        return guard(writesDown, () -> delegate.renewAll(claims, lease));
    }

    @Override
    public WriteResult release(DedupKey key, long token, Duration retention) {
        releases.incrementAndGet();
        return guard(writesDown, () -> delegate.release(key, token, retention));
    }

    @Override
    public Optional<StoredRecord> find(DedupKey key) {
        return delegate.find(key);
    }
}
