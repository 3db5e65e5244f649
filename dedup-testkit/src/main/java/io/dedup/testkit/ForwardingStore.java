package io.dedup.testkit;

import io.dedup.Claim;
import io.dedup.DedupKey;
import io.dedup.spi.ClaimRequest;
import io.dedup.spi.ClaimResult;
import io.dedup.spi.Completion;
import io.dedup.spi.DedupStore;
import io.dedup.spi.StoredRecord;
import io.dedup.spi.WriteResult;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A store that forwards every call, the batch calls and {@link #capability}, {@link #describe} and {@link #close}
 * included, to a delegate: the base for a test store that changes one thing, so that no test re-declares the
 * whole interface.
 *
 * <pre>{@code
 * DedupStore lossy = new ForwardingStore(InMemoryDedupStore.create()) {
 *     @Override
 *     public WriteResult complete(Completion completion) {
 *         super.complete(completion);
 *         throw new DedupStoreUnavailableException("the answer was lost");
 *     }
 * };
 * }</pre>
 *
 * <p>Every call is forwarded as it came: a batch stays a batch, so the delegate's single round trip is kept. A
 * subclass that changes a single-key call (say, {@code complete}) and wants batches changed alike overrides the batch
 * call too ({@code completeAll}); the SPI's default batch loops are not reached through this class.
 *
 * <p>Thread-safe when the delegate is (it keeps no state of its own).
 */
public class ForwardingStore implements DedupStore {
    /** The store every call goes to. */
    private final DedupStore delegate;

    /**
     * A store forwarding every call to {@code delegate}, which it closes when closed.
     *
     * @throws NullPointerException if {@code delegate} is null
     */
    public ForwardingStore(DedupStore delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** The store every call goes to. */
    protected final DedupStore delegate() {
        return delegate;
    }

    @Override
    public ClaimResult claim(ClaimRequest request) {
        return delegate.claim(request);
    }

    @Override
    public List<ClaimResult> claimAll(List<ClaimRequest> requests) {
        return delegate.claimAll(requests);
    }

    @Override
    public WriteResult complete(Completion completion) {
        return delegate.complete(completion);
    }

    @Override
    public List<WriteResult> completeAll(List<Completion> completions) {
        return delegate.completeAll(completions);
    }

    @Override
    public WriteResult renew(DedupKey key, long token, Duration lease) {
        return delegate.renew(key, token, lease);
    }

    @Override
    public List<WriteResult> renewAll(List<Claim> claims, Duration lease) {
        return delegate.renewAll(claims, lease);
    }

    @Override
    public WriteResult release(DedupKey key, long token, Duration retention) {
        return delegate.release(key, token, retention);
    }

    @Override
    public Optional<StoredRecord> find(DedupKey key) {
        return delegate.find(key);
    }

    /** The delegate's capabilities: a transactional store stays transactional behind a forwarding test store. */
    @Override
    public <T> Optional<T> capability(Class<T> type) {
        return delegate.capability(type);
    }

    @Override
    public String describe() {
        return delegate.describe();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
