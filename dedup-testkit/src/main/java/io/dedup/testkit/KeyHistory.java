package io.dedup.testkit;

import io.dedup.DedupKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The recorded steps of one key, indexed the way the rules ask about them: the acquisitions by token, the
 * completions by the body they wrote, and the steps of calls that threw (whose effect is unknown).
 *
 * <p>Built once per key after the history ended and then only read; not thread-safe, and needs not be.
 */
final class KeyHistory {
    /** The key every step here concerns. */
    final DedupKey key;
    /** The key's steps in call start order. */
    final List<HistoryCall.Step> steps;
    /** Claims that acquired the key, in start order. */
    final List<HistoryCall.Step> acquisitions = new ArrayList<>();
    /** Each acquisition by the token it was handed. */
    final Map<Long, HistoryCall.Step> acquisitionOf = new HashMap<>();
    /** Each completion by the body it wrote. */
    final Map<Long, HistoryCall.Step> completionOf = new HashMap<>();
    /** Steps whose effect is unknown: their call threw, or their batch answered Failed for them. */
    private final List<HistoryCall.Step> unknown = new ArrayList<>();
    /** Two acquisitions handed one token, if indexing found them. */
    private Optional<HistoryJudge.Violation> repeatedToken = Optional.empty();

    private KeyHistory(DedupKey key, List<HistoryCall.Step> steps) {
        this.key = key;
        this.steps = steps;
    }

    /**
     * Indexes the steps of {@code key}. Two acquisitions with one token cannot be indexed by token and are a
     * violation in themselves; indexing stops there, and {@link #repeatedToken()} names them.
     */
    static KeyHistory index(DedupKey key, List<HistoryCall.Step> steps) {
        KeyHistory history = new KeyHistory(key, steps);
        for (HistoryCall.Step step : steps) {
            if (step.unknown()) {
                history.unknown.add(step);
            } else if (step.acquired() != null) {
                HistoryCall.Step other = history.acquisitionOf.put(step.acquiredToken(), step);
                if (other != null) {
                    history.repeatedToken = history.fail("tokens never repeat for a key", other, step);
                    return history;
                }
                history.acquisitions.add(step);
            }
            if (step.isComplete()) {
                history.completionOf.put(step.bodyId, step);
            }
        }
        return history;
    }

    /** Two acquisitions of this key that were handed the same token, if the index found them. */
    Optional<HistoryJudge.Violation> repeatedToken() {
        return repeatedToken;
    }

    /** Applied completions (or, with {@code completionsOnly} false, completions and releases) of a token. */
    Stream<HistoryCall.Step> terminal(long token, boolean completionsOnly) {
        return steps.stream()
                .filter(s -> s.token == token && s.applied())
                .filter(s -> completionsOnly ? s.isComplete() : s.isTerminalWrite());
    }

    /** An acquisition with a higher token that surely happened before {@code step}. */
    Optional<HistoryCall.Step> newerBefore(long token, HistoryCall.Step step) {
        return acquisitions.stream()
                .filter(n -> n.acquiredToken() > token && StoreTimeWindows.precedes(n, step))
                .findFirst();
    }

    /**
     * Whether a call of unknown effect (it threw) may have acted on this key before {@code step}: then the rules
     * that need to know why the store answered as it did are not judged.
     */
    boolean unknownBefore(HistoryCall.Step step) {
        return unknown.stream().anyMatch(u -> u.call.startSeq < step.call.endSeq && u.call != step.call);
    }

    /** A broken {@code rule} of this key, shown by the {@code involved} steps in the order they tell it. */
    Optional<HistoryJudge.Violation> fail(String rule, HistoryCall.Step... involved) {
        return Optional.of(new HistoryJudge.Violation(rule, key, List.of(involved)));
    }

    /** Whether a claim fingerprinted {@code asked} conflicts with a record stored with {@code stored}. */
    static boolean conflicting(Optional<String> stored, Optional<String> asked) {
        return stored.isPresent() && asked.isPresent() && !stored.equals(asked);
    }
}
