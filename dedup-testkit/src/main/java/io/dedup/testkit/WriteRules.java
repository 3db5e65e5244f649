package io.dedup.testkit;

import java.util.Optional;

/**
 * The rules for complete, renew and release on one key (G4, fencing): a write applies only with a token the store
 * handed out and that is still current, and the holder of a live, untouched lease is never refused.
 *
 * <p>A write that was refused while the judge cannot prove its token had been replaced or ended is judged only when
 * its lease was surely live for the whole call, so a lease lapsing inside a slow call is not called a fault. Not
 * thread-safe; used by one judge at a time.
 */
final class WriteRules extends KeyRules {
    /** The write rules for {@code key}'s steps. */
    WriteRules(KeyHistory key, StoreTimeWindows time) {
        super(key, time);
    }

    /** Judges a write step by whether it applied or was fenced. */
    @Override
    Optional<HistoryJudge.Violation> check(HistoryCall.Step step) {
        return step.applied() ? applied(step) : fenced(step);
    }

    private Optional<HistoryJudge.Violation> applied(HistoryCall.Step w) {
        HistoryCall.Step a = key.acquisitionOf.get(w.token);
        // an applied write needs a token the store had handed out by then
        if (a == null || a.call.startSeq > w.call.endSeq) {
            return key.unknownBefore(w)
                    ? Optional.empty()
                    : key.fail("a write applies only with a token the store handed out", w);
        }
        Optional<HistoryCall.Step> newer = key.newerBefore(w.token, w);
        if (newer.isPresent()) {
            return key.fail("a fenced write changes nothing: applied after the key was taken over", a, newer.get(), w);
        }
        // A second terminal write of the same token is wrong even when the two overlap: only one can apply.
        Optional<HistoryCall.Step> ended = key.terminal(w.token, false)
                .filter(t -> t != w && (StoreTimeWindows.precedes(t, w) || w.isTerminalWrite()))
                .findFirst();
        if (ended.isPresent()) {
            return key.fail(
                    "a fenced write changes nothing: applied after the holder completed or released",
                    a,
                    ended.get(),
                    w);
        }
        return Optional.empty();
    }

    private Optional<HistoryJudge.Violation> fenced(HistoryCall.Step w) {
        HistoryCall.Step a = key.acquisitionOf.get(w.token);
        // a lease that may have lapsed during the call may be refused: only a surely live one must be honoured
        if (a == null || key.unknownBefore(w) || time.high(w) >= a.leaseUntil()) {
            return Optional.empty();
        }
        // refusing a live holder is wrong only if nothing may have ended its holding before the write
        boolean takenOver =
                key.acquisitions.stream().anyMatch(n -> n.acquiredToken() > w.token && n.call.startSeq < w.call.endSeq);
        boolean ended = key.terminal(w.token, false).anyMatch(t -> t != w && t.call.startSeq < w.call.endSeq);
        if (!takenOver && !ended && a.call.endSeq < w.call.startSeq) {
            return key.fail("the holder of a live lease can write: fenced although the token was current", a, w);
        }
        return Optional.empty();
    }
}
