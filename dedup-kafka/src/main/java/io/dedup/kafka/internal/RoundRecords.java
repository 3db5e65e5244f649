package io.dedup.kafka.internal;

import io.dedup.kafka.DeadLetter;
import io.dedup.kafka.RecordStatus;
import java.time.Duration;
import java.util.List;

/**
 * What is known about the records of a poll (or of one topic's part of it), by position: their status, the error
 * and the retry delay of each, the dead letters owed. A transactional batch slices it per topic, lets the topic's
 * rounds fill the slice in, and merges it back.
 *
 * <p>Not thread-safe: one batch, one thread.
 */
final class RoundRecords {
    final RecordStatus[] status;
    final Throwable[] errors;
    final Duration[] delays;
    final DeadLetter[] deadLetters;
    boolean storeUnavailable;
    boolean commitFailed;

    RoundRecords(int n) {
        status = new RecordStatus[n];
        errors = new Throwable[n];
        delays = new Duration[n];
        deadLetters = new DeadLetter[n];
    }

    /** The records at {@code indexes} (one topic's), with the dead letters owed so far; the rest starts empty. */
    RoundRecords slice(List<Integer> indexes) {
        RoundRecords part = new RoundRecords(indexes.size());
        for (int k = 0; k < indexes.size(); k++) {
            part.deadLetters[k] = deadLetters[indexes.get(k)];
        }
        return part;
    }

    /** Writes back what a {@link #slice} learned, at the positions it was taken from. */
    void merge(RoundRecords part, List<Integer> indexes) {
        for (int k = 0; k < indexes.size(); k++) {
            int i = indexes.get(k);
            status[i] = part.status[k];
            errors[i] = part.errors[k];
            delays[i] = part.delays[k];
            deadLetters[i] = part.deadLetters[k];
        }
        storeUnavailable |= part.storeUnavailable;
        commitFailed |= part.commitFailed;
    }
}
