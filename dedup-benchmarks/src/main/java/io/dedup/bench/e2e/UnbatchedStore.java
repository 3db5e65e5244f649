package io.dedup.bench.e2e;

import io.dedup.Claim;
import io.dedup.spi.ClaimRequest;
import io.dedup.spi.ClaimResult;
import io.dedup.spi.Completion;
import io.dedup.spi.DedupStore;
import io.dedup.spi.WriteResult;
import io.dedup.testkit.ForwardingStore;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A store with batching turned off: {@code claimAll}, {@code completeAll} and {@code renewAll} make one single-key
 * call (one round trip) per message with the SPI's default loop ({@link DedupStore#oneByOne}), while the runner above
 * stays the same. This is the {@code dedup-redis-single} arm's store, to show what batching buys: the two arms differ
 * in nothing else.
 *
 * <p>Capabilities of the delegate are hidden, as they were from any store without them: the arm measures the leased
 * mode. Thread-safe if the delegate is.
 */
public final class UnbatchedStore extends ForwardingStore {
    /** Answers batches from {@code delegate} one key at a time. */
    public UnbatchedStore(DedupStore delegate) {
        super(delegate);
    }

    /** One {@code claim} per request: a round trip each. */
    @Override
    public List<ClaimResult> claimAll(List<ClaimRequest> requests) {
        return DedupStore.oneByOne(requests, this::claim, (request, e) -> new ClaimResult.Failed(request.key(), e));
    }

    /** One {@code complete} per completion: a round trip each. */
    @Override
    public List<WriteResult> completeAll(List<Completion> completions) {
        return DedupStore.oneByOne(completions, this::complete, (completion, e) -> new WriteResult.Failed(e));
    }

    /** One {@code renew} per claim: a round trip each, as the leases of an unbatched store would be renewed. */
    @Override
    public List<WriteResult> renewAll(List<Claim> claims, Duration lease) {
        return DedupStore.oneByOne(
                claims, claim -> renew(claim.key(), claim.token(), lease), (claim, e) -> new WriteResult.Failed(e));
    }

    /** Only this store's own capabilities, as the SPI default answers: the delegate's transactions stay hidden. */
    @Override
    public <T> Optional<T> capability(Class<T> type) {
        return type.isInstance(this) ? Optional.of(type.cast(this)) : Optional.empty();
    }

    /** The delegate's description, marked unbatched, for the logs of the {@code dedup-redis-single} arm. */
    @Override
    public String describe() {
        return "unbatched " + super.describe();
    }
}
