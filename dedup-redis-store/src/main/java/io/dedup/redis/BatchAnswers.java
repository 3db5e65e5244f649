package io.dedup.redis;

import io.dedup.DedupKey;
import io.dedup.DedupStoreCorruptionException;
import io.dedup.DedupStoreException;
import io.dedup.DedupStoreUnavailableException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/**
 * Runs a batch's script calls in one round trip (on a cluster, one per master) and answers per key, in order. A
 * key Redis could not answer, or whose record is unreadable, is answered with a failure of its own, so that one
 * unreachable node or one corrupt record does not fail the other keys of the batch. Thread-safe.
 */
final class BatchAnswers {
    /** Reads one key's answer out of a script's whole reply. */
    @FunctionalInterface
    interface AnswerReader<T> {
        /**
         * @throws DedupStoreCorruptionException if the record is unreadable
         * @throws DedupStoreUnavailableException if the answer has an unexpected shape
         */
        T read(DedupKey key, List<Object> reply, Object answer);
    }

    private final ScriptRunner scripts;

    BatchAnswers(ScriptRunner scripts) {
        this.scripts = scripts;
    }

    /**
     * Answers every key of {@code calls}: {@code read} on its element of the reply (after {@code header} elements
     * shared by the call), or {@code failed} with the reason there is none.
     *
     * @throws DedupStoreUnavailableException the first cause, when Redis answered none of the keys: then nothing
     *     is known about any of them and the caller should back off as for a single call
     */
    <T> List<T> answerAll(
            List<ScriptCall> calls,
            int header,
            AnswerReader<T> read,
            BiFunction<DedupKey, DedupStoreException, T> failed) {
        if (calls.isEmpty()) {
            return List.of();
        }
        List<ScriptRunner.Reply> replies = scripts.runAll(calls);
        // Calls hold consecutive runs of the batch, so appending each call's keys in order keeps the batch's order.
        List<T> answers = new ArrayList<>();
        DedupStoreUnavailableException firstUnavailable = null;
        int unavailable = 0;
        for (int c = 0; c < calls.size(); c++) {
            ScriptCall call = calls.get(c);
            ScriptRunner.Reply reply = replies.get(c);
            List<Object> answered = null;
            DedupStoreException callError = reply.error();
            // A call that failed as a whole (its node is down, or its reply has the wrong shape) fails each of its
            // keys with that cause; the other calls' keys are answered as usual.
            if (callError == null) {
                try {
                    answered = Replies.perKey(
                            call.firstKey(), reply.value(), header, call.keys().size());
                } catch (DedupStoreUnavailableException e) {
                    callError = e;
                }
            }
            for (int j = 0; j < call.keys().size(); j++) {
                DedupKey key = call.keys().get(j);
                DedupStoreException error = callError;
                if (error == null) {
                    try {
                        answers.add(read.read(key, answered, answered.get(header + j)));
                        continue;
                    } catch (DedupStoreCorruptionException | DedupStoreUnavailableException e) {
                        error = e;
                    }
                }
                // Counted to tell "Redis answered nothing" (throw) from "some keys failed" (answer per key).
                if (error instanceof DedupStoreUnavailableException u) {
                    unavailable++;
                    firstUnavailable = firstUnavailable == null ? u : firstUnavailable;
                }
                answers.add(failed.apply(key, error));
            }
        }
        if (unavailable == answers.size()) {
            throw firstUnavailable;
        }
        return answers;
    }
}
