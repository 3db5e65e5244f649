package io.dedup.internal;

import io.dedup.ClaimedBatch;
import io.dedup.DedupResult;
import io.dedup.OutcomeCodec;
import io.dedup.ResultHandler;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code DedupConsumer.process} and {@code processAll}: a list claimed as one {@link DedupBatch} whose handlers run
 * one after the other on the calling thread, completed in one round trip when the last has finished.
 *
 * <p>Thread-safe: each call has its own batch.
 */
final class SequentialProcessing<M> {
    private final DedupEngine<M> engine;

    SequentialProcessing(DedupEngine<M> engine) {
        this.engine = engine;
    }

    /**
     * Processes a list with one claim round trip and one completion round trip; handlers run in list order. A key
     * repeated in the list is answered by its first occurrence: a duplicate when it was processed, otherwise claimed
     * again after it (one more round trip), so that a repeat of a failed message gets its own attempt.
     */
    @SuppressWarnings("unchecked")
    <R> List<DedupResult<R>> processAll(
            List<? extends M> messages,
            ResultHandler<? super M, ? extends R> handler,
            OutcomeCodec<? super R> codec,
            boolean finalAttempt) {
        DedupBatch<M> batch = engine.claim(messages, BatchKind.LEASED, null, false);
        List<ClaimedBatch.Entry<M>> entries = batch.entries();
        try (batch) {
            for (int i = 0, n = entries.size(); i < n; i++) {
                ClaimedBatch.Entry<M> entry = entries.get(i);
                // one whose lease lapsed while it waited is handed to run() all the same: run() settles it as Fenced
                // without calling the handler, so that it has a result
                if (entry.mayRun() || ((BatchEntry<M>) entry).lostBeforeRun()) {
                    batch.run(entry, handler, codec, finalAttempt);
                }
            }
            batch.complete();
        }
        List<DedupResult<?>> settled = batch.results();
        List<DedupResult<R>> results = new ArrayList<>(settled.size());
        List<Integer> again = null;
        for (int i = 0, n = settled.size(); i < n; i++) { // each the result of this handler, or none of it
            DedupResult<?> result = settled.get(i);
            if (result == null) {
                if (again == null) {
                    again = new ArrayList<>();
                }
                again.add(results.size());
            }
            results.add((DedupResult<R>) result);
        }
        if (again != null) {
            List<M> repeats = new ArrayList<>(again.size());
            for (int i : again) {
                repeats.add(messages.get(i));
            }
            List<DedupResult<R>> repeated = processAll(repeats, handler, codec, finalAttempt);
            for (int k = 0; k < again.size(); k++) {
                results.set(again.get(k), repeated.get(k));
            }
        }
        return results;
    }
}
