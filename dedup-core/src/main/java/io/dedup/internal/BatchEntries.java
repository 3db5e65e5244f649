package io.dedup.internal;

import io.dedup.ClaimedBatch;
import io.dedup.DedupKey;
import io.dedup.DedupResult;
import io.dedup.Outcome;
import io.dedup.OutcomeStatus;
import io.dedup.internal.BatchEntry.State;
import io.dedup.internal.DedupMetrics.Result;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;

/**
 * The entries of one {@link DedupBatch} in message order: found and taken by state, and the answer of each entry
 * that repeats an earlier one's key.
 *
 * <p>Not thread-safe on its own: entries are added before the batch is handed out, and every other method is called
 * under the batch's lock (the {@link DedupBatch} object), which guards the entries' states.
 */
final class BatchEntries<M> {
    private final List<BatchEntry<M>> items;
    /** The caller's read-only view of {@link #items}, made once. */
    private final List<ClaimedBatch.Entry<M>> view;
    /** Also settle a repeat whose first did not complete (as released); else it is left for another claim. */
    private final boolean settleRepeats;

    private final DedupMetrics metrics;
    /** Whether an entry repeats an earlier one's key: only then is there anything for settleRepeats to do. */
    private boolean hasRepeats;

    BatchEntries(int size, boolean settleRepeats, DedupMetrics metrics) {
        this.items = new ArrayList<>(size);
        this.view = Collections.unmodifiableList(items);
        this.settleRepeats = settleRepeats;
        this.metrics = metrics;
    }

    BatchEntry<M> add(BatchEntry<M> item) {
        hasRepeats |= item.repeatOf >= 0;
        items.add(item);
        return item;
    }

    int size() {
        return items.size();
    }

    BatchEntry<M> get(int index) {
        return items.get(index);
    }

    List<ClaimedBatch.Entry<M>> view() {
        return view;
    }

    /** Each entry's result in order; null where it is not final yet. */
    List<DedupResult<?>> results() {
        List<DedupResult<?>> results = new ArrayList<>(items.size());
        for (int i = 0, n = items.size(); i < n; i++) {
            results.add(items.get(i).result);
        }
        return results;
    }

    /**
     * The index, from {@code from} on, of the first entry that claimed one of {@code keys} and still holds an
     * unsettled claim (a repeat holds none of its own: its first is the one found); -1 when there is none.
     */
    int firstHolding(Set<DedupKey> keys, int from) {
        for (int i = from, n = items.size(); i < n; i++) {
            BatchEntry<M> item = items.get(i);
            if (item.repeatOf < 0 && item.key != null && keys.contains(item.key) && item.holdsUnsettledClaim()) {
                return i;
            }
        }
        return -1;
    }

    /** A repeat of a key earlier in the batch takes its first's answer once that is final. */
    void settleRepeats() {
        if (!hasRepeats) {
            return;
        }
        for (int i = 0, n = items.size(); i < n; i++) {
            BatchEntry<M> item = items.get(i);
            if (item.repeatOf < 0 || item.result != null) {
                continue;
            }
            BatchEntry<M> first = items.get(item.repeatOf);
            if (first.state != State.SETTLED || first.result == null) {
                continue;
            }
            if (first.result instanceof DedupResult.Processed<?>) {
                // the store holds the first's completion under the same key: a duplicate, answered with what it stored
                metrics.result(Result.DUPLICATE);
                item.result = new DedupResult.Duplicate<>(
                        item.key, Outcome.wrap(OutcomeStatus.SUCCEEDED, first.body, Instant.now()));
            } else if (first.result instanceof DedupResult.Duplicate<?> duplicate) {
                metrics.result(Result.DUPLICATE);
                item.result = new DedupResult.Duplicate<>(item.key, duplicate.outcome());
            } else if (settleRepeats || first.claim == null) {
                item.result = first.claim == null ? first.result : new DedupResult.Released<>(first.claim);
            }
        }
    }

    /** The entries in {@code state}, marked settled. */
    List<BatchEntry<M>> take(State state) {
        List<BatchEntry<M>> taken = List.of(); // allocated only when something is taken: most calls take nothing
        for (int i = 0, n = items.size(); i < n; i++) {
            BatchEntry<M> item = items.get(i);
            if (item.state == state) {
                item.state = State.SETTLED;
                taken = added(taken, item);
            }
        }
        return taken;
    }

    private List<BatchEntry<M>> added(List<BatchEntry<M>> list, BatchEntry<M> item) {
        List<BatchEntry<M>> growing = list.isEmpty() ? new ArrayList<>() : list;
        growing.add(item);
        return growing;
    }

    /**
     * Acquired and skipped items (never started), and the finished ones too when {@code finishedToo}, marking them
     * settled; {@code acquiredTaken} runs for each one that was still acquired, so the batch can count it down.
     */
    List<BatchEntry<M>> takeUnfinished(boolean finishedToo, Runnable acquiredTaken) {
        List<BatchEntry<M>> taken = List.of();
        for (int i = 0, n = items.size(); i < n; i++) {
            BatchEntry<M> item = items.get(i);
            if (item.claim != null
                    && (item.state == State.ACQUIRED
                            || item.state == State.SKIPPED
                            || (finishedToo && item.state == State.FINISHED))) {
                if (item.state == State.ACQUIRED) {
                    acquiredTaken.run();
                }
                item.state = State.SETTLED;
                taken = added(taken, item);
            }
        }
        return taken;
    }

    /** The entries in any of {@code states}, left as they are. */
    List<BatchEntry<M>> inStates(State... states) {
        List<BatchEntry<M>> found = List.of();
        for (int i = 0, n = items.size(); i < n; i++) {
            BatchEntry<M> item = items.get(i);
            for (State state : states) {
                if (item.state == state) {
                    found = added(found, item);
                    break;
                }
            }
        }
        return found;
    }
}
