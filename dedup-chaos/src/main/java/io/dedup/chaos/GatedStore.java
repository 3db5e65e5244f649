package io.dedup.chaos;

import io.dedup.spi.Completion;
import io.dedup.spi.DedupStore;
import io.dedup.spi.WriteResult;
import io.dedup.testkit.ForwardingStore;
import java.util.List;

/**
 * The real store with two observation posts for leased mode: after a completion the store applied (the
 * {@link KillPoint#AFTER_COMPLETE} gate, before the adapter acks) and at a completion the store refused because the
 * lease was taken over (reported as {@code FENCED <key> <token>} and logged in the ledger). Thread-safe.
 */
final class GatedStore extends ForwardingStore {
    private final PointGate gate;
    private final LedgerWriter ledger;

    GatedStore(DedupStore store, PointGate gate, LedgerWriter ledger) {
        super(store);
        this.gate = gate;
        this.ledger = ledger;
    }

    @Override
    public WriteResult complete(Completion completion) {
        WriteResult result = super.complete(completion);
        observe(completion, result);
        return result;
    }

    @Override
    public List<WriteResult> completeAll(List<Completion> completions) {
        List<WriteResult> results = super.completeAll(completions);
        for (int i = 0; i < results.size() && i < completions.size(); i++) {
            observe(completions.get(i), results.get(i));
        }
        return results;
    }

    /**
     * Applied: the {@link KillPoint#AFTER_COMPLETE} post, where a kill leaves a completed key whose delivery was not yet
     * acked (G5's window). Fenced: the evidence that a stale worker was refused, which the ledger checks against the
     * worker's effects.
     */
    private void observe(Completion completion, WriteResult result) {
        if (result == WriteResult.APPLIED) {
            gate.hit(KillPoint.AFTER_COMPLETE, completion.key().id());
        } else if (result == WriteResult.FENCED) {
            gate.say("FENCED " + completion.key().id() + " " + completion.token());
            ledger.invocation(completion.key().id(), completion.token(), "fenced");
        }
    }
}
