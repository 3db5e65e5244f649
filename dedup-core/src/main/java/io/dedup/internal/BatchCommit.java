package io.dedup.internal;

import io.dedup.Claim;
import io.dedup.ClaimedBatch;
import io.dedup.DedupResult;
import io.dedup.DedupStoreUnavailableException;
import io.dedup.LeaseLostException;
import io.dedup.internal.BatchEntry.State;
import io.dedup.internal.DedupMetrics.Result;
import io.dedup.spi.Completion;
import io.dedup.spi.WriteResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a transactional {@link DedupBatch} ends: {@link #commit} for a batch whose work commits in the caller's
 * transaction (completions written only after it committed; keys taken over meanwhile refuse the commit) or in a
 * store transaction (completions and releases inside it, then one commit); {@link #rollback} for a store-transaction
 * batch closed without commit; {@link #abandon} when a commit's outcome is unknown (finished keys stay held until
 * their lease ends).
 *
 * <p>Not thread-safe on its own: made for one call on the batch's owning thread; entries change under the batch's
 * lock.
 */
final class BatchCommit<M> {
    private static final Logger LOG = LoggerFactory.getLogger(BatchCommit.class);

    private final DedupBatch<M> batch;
    private final BatchWrites<M> writes;

    BatchCommit(DedupBatch<M> batch, BatchWrites<M> writes) {
        this.batch = batch;
        this.writes = writes;
    }

    void commit(ClaimedBatch.Commit commit) throws Exception {
        Objects.requireNonNull(commit, "commit");
        if (batch.kind() == BatchKind.LEASED) {
            throw new IllegalStateException("a leased batch is completed by complete(), not commit(...)");
        }
        batch.checkOpen();
        List<BatchEntry<M>> finished = batch.inStates(State.FINISHED);
        if (batch.kind() == BatchKind.FOR_COMMIT) {
            for (BatchEntry<M> item : finished) {
                if (item.ticket != null && item.ticket.lost()) {
                    // another worker took the key over while we ran: its holder's work counts, ours must not commit
                    throw new LeaseLostException(item.claim.key(), item.claim.token());
                }
            }
            commit.run();
            batch.markCommitted();
            batch.take(State.FINISHED);
            writes.writeCompletions(finished);
            writes.releaseAll(batch.takeUnfinished());
        } else {
            List<Completion> completions = new ArrayList<>(finished.size());
            for (BatchEntry<M> item : finished) {
                completions.add(writes.completionOf(item));
            }
            List<WriteResult> written =
                    completions.isEmpty() ? List.of() : batch.transaction().completeAll(completions);
            for (int i = 0; i < written.size(); i++) {
                if (written.get(i) != WriteResult.APPLIED) {
                    Claim claim = finished.get(i).claim;
                    throw new LeaseLostException(claim.key(), claim.token());
                }
            }
            List<BatchEntry<M>> unfinished = batch.inStates(State.ACQUIRED, State.SKIPPED);
            List<Claim> giveBack = new ArrayList<>();
            unfinished.forEach(item -> giveBack.add(item.claim));
            for (BatchEntry<M> item : batch.inStates(State.SETTLED)) {
                if (item.claim != null && item.result instanceof DedupResult.Failed<?>) {
                    giveBack.add(item.claim); // failed in the transaction: released within it, as a redelivery retries
                }
            }
            if (!giveBack.isEmpty()) {
                batch.transaction()
                        .releaseAll(giveBack, batch.engine().settings().shared().retention());
            }
            commit.run();
            batch.transaction().commit();
            synchronized (batch) {
                batch.markCommitted();
                for (BatchEntry<M> item : finished) {
                    item.state = State.SETTLED;
                    batch.settle(item, batch.engine().processed(item.claim, item.handlerResult));
                }
                for (BatchEntry<M> item : unfinished) {
                    item.state = State.SETTLED;
                    batch.settle(item, batch.engine().notStarted(item.claim));
                }
            }
        }
        batch.settleRepeats();
    }

    /** A store-transaction batch closed without commit: its claims and work vanish with the rollback. */
    void rollback() {
        try {
            batch.transaction().rollback();
        } catch (RuntimeException e) {
            LOG.warn("rolling back a store transaction failed: {}", e.toString());
        }
        for (BatchEntry<M> item : batch.takeUnfinished()) {
            batch.settle(item, batch.engine().notStarted(item.claim));
        }
    }

    void abandon() {
        for (BatchEntry<M> item : batch.take(State.FINISHED)) {
            item.closeTicket(); // no longer renewed: the lease runs out and a redelivery takes the key over then
            batch.engine().metrics().result(Result.UNAVAILABLE);
            DedupStoreUnavailableException cause = new DedupStoreUnavailableException(
                    "the outcome of the commit is unknown; key " + item.key + " stays held until its lease ends");
            synchronized (batch) {
                batch.settle(item, new DedupResult.Unavailable<>(Optional.of(item.key), cause, true));
            }
        }
    }
}
