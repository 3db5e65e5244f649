package io.dedup.chaos;

import io.dedup.DedupKey;
import io.dedup.spi.ClaimRequest;
import io.dedup.spi.ClaimResult;
import io.dedup.spi.Completion;
import io.dedup.spi.DedupStore;
import io.dedup.spi.StoredRecord;
import io.dedup.spi.WriteResult;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The real store with two observation posts for leased mode: after a completion the store applied (the
 * {@link KillPoint#AFTER_COMPLETE} gate, before the adapter acks) and at a completion the store refused because the
 * lease was taken over (reported as {@code FENCED <key> <token>} and logged in the ledger). Thread-safe.
 */
final class GatedStore implements DedupStore {
    private final DedupStore store;
    private final PointGate gate;
    private final LedgerWriter ledger;

    GatedStore(DedupStore store, PointGate gate, LedgerWriter ledger) {
        this.store = store;
        this.gate = gate;
        this.ledger = ledger;
    }

    @Override
    public ClaimResult claim(ClaimRequest request) {
        return store.claim(request);
    }

    @Override
    public List<ClaimResult> claimAll(List<ClaimRequest> requests) {
        return store.claimAll(requests);
    }

    @Override
    public WriteResult complete(Completion completion) {
        WriteResult result = store.complete(completion);
        observe(completion, result);
        return result;
    }

    @Override
    public List<WriteResult> completeAll(List<Completion> completions) {
        List<WriteResult> results = store.completeAll(completions);
        for (int i = 0; i < results.size() && i < completions.size(); i++) {
            observe(completions.get(i), results.get(i));
        }
        return results;
    }

    private void observe(Completion completion, WriteResult result) {
        if (result == WriteResult.APPLIED) {
            gate.hit(KillPoint.AFTER_COMPLETE, completion.key().id());
        } else if (result == WriteResult.FENCED) {
            gate.say("FENCED " + completion.key().id() + " " + completion.token());
            ledger.invocation(completion.key().id(), completion.token(), "fenced");
        }
    }

    @Override
    public WriteResult renew(DedupKey key, long token, Duration lease) {
        return store.renew(key, token, lease);
    }

    @Override
    public WriteResult release(DedupKey key, long token, Duration retention) {
        return store.release(key, token, retention);
    }

    @Override
    public Optional<StoredRecord> find(DedupKey key) {
        return store.find(key);
    }

    @Override
    public <T> Optional<T> capability(Class<T> type) {
        return store.capability(type);
    }

    @Override
    public String describe() {
        return store.describe();
    }

    @Override
    public void close() {
        store.close();
    }
}
