package io.dedup.internal;

import io.dedup.DedupResult;
import io.dedup.DedupStoreUnavailableException;
import io.dedup.OutcomeStatus;
import io.dedup.internal.BatchEntry.State;
import io.dedup.internal.DedupMetrics.Result;
import io.dedup.internal.DedupMetrics.StoreOperation;
import io.dedup.spi.Completion;
import io.dedup.spi.WriteResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a {@link DedupBatch} writes to the store outside a store transaction: completions (queued to the completion
 * writer as handlers finish, or written here in one round trip) and the releases of keys never started; and how each
 * entry is settled by the store's answer. A completion the store could not take is handed to the engine's pending
 * completions, with its lease renewal, rather than lost.
 *
 * <p>Thread-safe: {@link #writing} and the entries change under the batch's lock.
 */
final class BatchWrites<M> {
    private final DedupBatch<M> batch;
    /** Completions queued to the writer and not answered yet (guarded by the batch's lock). */
    private int writing;

    BatchWrites(DedupBatch<M> batch) {
        this.batch = batch;
    }

    /** One more completion is on its way to the writer; called under the batch's lock. */
    void queued() {
        writing++;
    }

    /** Hands a finished entry's completion to the completion writer (counted by {@link #queued} before). */
    void submit(BatchEntry<M> item) {
        Completion completion = completionOf(item);
        try {
            batch.engine().writer().submit(batch, completion, w -> written(item, completion, w));
        } catch (RuntimeException e) { // the consumer is closing: keep it as a completion the store lacks
            written(item, completion, null);
        }
    }

    /**
     * Writes every completion this batch still owes: those the completion writer has not taken yet (taken back) and
     * the finished ones not queued, in one round trip on this thread; then waits for the writer's answers to those it
     * had already taken.
     */
    void writeOwed() {
        List<CompletionWriter.Queued> queued;
        synchronized (batch) {
            // only what this batch queued can be taken back: with nothing in flight, the writer's lock is not needed
            queued = writing == 0 ? List.of() : null;
        }
        if (queued == null) {
            queued = batch.engine().writer().drain(batch);
        }
        List<BatchEntry<M>> finished = batch.take(State.FINISHED);
        if (!queued.isEmpty() || !finished.isEmpty()) {
            List<Completion> completions = new ArrayList<>(queued.size() + finished.size());
            queued.forEach(q -> completions.add(q.completion()));
            finished.forEach(item -> completions.add(completionOf(item)));
            List<WriteResult> written = null;
            try {
                written = batch.engine().writes().completeAllWithRetry(completions);
            } finally {
                // also when the store threw what is not an outage: unanswered, they would be neither kept nor settled,
                // and the batch would wait for them for ever; answered as not written, they are kept (see
                // settleWritten)
                for (int c = 0; c < completions.size(); c++) {
                    WriteResult w = written == null ? null : written.get(c);
                    if (c < queued.size()) {
                        queued.get(c).answer().accept(w);
                    } else {
                        settleWritten(finished.get(c - queued.size()), completions.get(c), w);
                    }
                }
            }
        }
        boolean interrupted = false;
        synchronized (batch) {
            while (writing > 0) {
                try {
                    batch.wait();
                } catch (InterruptedException e) {
                    interrupted = true; // the answers are moments away; the caller learns of the interrupt after
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** The completion writer's answer for {@code item}. */
    private void written(BatchEntry<M> item, Completion completion, WriteResult w) {
        settleWritten(item, completion, w);
        synchronized (batch) {
            writing--;
            batch.notifyAll();
        }
    }

    /** Writes completions in one round trip (with retries); keeps those the store did not take for later. */
    void writeCompletions(List<BatchEntry<M>> finished) {
        if (finished.isEmpty()) {
            return;
        }
        List<Completion> completions = new ArrayList<>(finished.size());
        for (BatchEntry<M> item : finished) {
            completions.add(completionOf(item));
        }
        List<WriteResult> written = null;
        try {
            written = batch.engine().writes().completeAllWithRetry(completions);
        } finally {
            // as in writeOwed: a store's error leaves them kept as not written, never unsettled
            for (int c = 0; c < finished.size(); c++) {
                settleWritten(finished.get(c), completions.get(c), written == null ? null : written.get(c));
            }
        }
    }

    /** Settles an entry by what the store answered to its completion (null: nothing, the store stayed down). */
    private void settleWritten(BatchEntry<M> item, Completion completion, WriteResult w) {
        DedupResult<?> result;
        if (w == null || w instanceof WriteResult.Failed) {
            DedupStoreUnavailableException cause = w instanceof WriteResult.Failed failed
                    ? DedupEngine.asUnavailable(failed.cause())
                    : new DedupStoreUnavailableException("could not record completion in "
                            + batch.engine().settings().store().describe());
            LeaseRenewer.Ticket ticket;
            synchronized (batch) {
                ticket = item.ticket;
                item.ticket = null; // the pending completion owns its renewal now
            }
            batch.engine().pending(item.claim, completion, ticket);
            batch.engine().metrics().result(Result.UNAVAILABLE);
            result = new DedupResult.Unavailable<>(Optional.of(item.key), cause, true);
        } else if (w == WriteResult.APPLIED) {
            result = batch.engine().processed(item.claim, item.handlerResult);
        } else {
            batch.engine().metrics().fenced(StoreOperation.COMPLETE);
            batch.engine().metrics().result(Result.FENCED);
            result = new DedupResult.Fenced<>(item.claim, item.handlerResult);
        }
        item.closeTicket();
        synchronized (batch) {
            batch.settle(item, result);
        }
    }

    void releaseAll(List<BatchEntry<M>> unstarted) {
        for (BatchEntry<M> item : unstarted) {
            boolean lost = item.ticket != null && item.ticket.lost();
            item.closeTicket();
            DedupResult<?> result;
            if (lost) { // taken over: the current holder settles it, and a release would be refused anyway
                batch.engine().metrics().result(Result.FENCED);
                result = new DedupResult.Fenced<>(item.claim, null);
            } else {
                batch.engine().writes().releaseQuietly(item.claim);
                result = batch.engine().notStarted(item.claim);
            }
            synchronized (batch) {
                batch.settle(item, result);
            }
        }
    }

    Completion completionOf(BatchEntry<M> item) {
        return new Completion(
                item.claim.key(),
                item.claim.token(),
                OutcomeStatus.SUCCEEDED,
                item.body,
                batch.engine().settings().shared().retention());
    }
}
