package io.dedup.testkit;

import java.util.Optional;

/**
 * A set of rules for one kind of step of one key ({@link ClaimRules}, {@link WriteRules}, {@link FindRules}): what
 * they judge with is the key's indexed steps and the windows in which each step may have taken effect.
 *
 * <p>Not thread-safe; a judge makes one per key and kind, and uses it on its own thread.
 */
abstract class KeyRules {
    /** The steps of the key judged. */
    final KeyHistory key;

    /** When each step may have happened, and the retention. */
    final StoreTimeWindows time;

    KeyRules(KeyHistory key, StoreTimeWindows time) {
        this.key = key;
        this.time = time;
    }

    /** The first rule {@code step} breaks, or empty; a step of unknown effect is never passed here. */
    abstract Optional<HistoryJudge.Violation> check(HistoryCall.Step step);
}
