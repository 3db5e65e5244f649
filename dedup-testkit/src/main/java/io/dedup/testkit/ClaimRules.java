package io.dedup.testkit;

import io.dedup.spi.ClaimResult;
import java.util.Optional;

/**
 * The rules for what a claim may answer about one key: acquired only when no earlier holder can still hold it
 * (G1), duplicate only with the outcome of a completion still retained (G2), in progress only while some holder may
 * still hold a live lease, conflict only against a record stored with another fingerprint.
 *
 * <p>Each rule fails only when no order of the overlapping calls and no store time inside their windows explains the
 * answer (see {@link StoreTimeWindows}). Not thread-safe; used by one judge at a time.
 */
final class ClaimRules extends KeyRules {
    /** The claim rules for {@code key}'s steps. */
    ClaimRules(KeyHistory key, StoreTimeWindows time) {
        super(key, time);
    }

    /** Judges a claim step by its answer; a claim that failed or threw is not judged here. */
    @Override
    Optional<HistoryJudge.Violation> check(HistoryCall.Step step) {
        Object result = step.result;
        if (result instanceof ClaimResult.Acquired) {
            return acquired(step);
        } else if (result instanceof ClaimResult.Duplicate d) {
            return duplicate(step, History.bodyId(d.outcome().body()));
        } else if (result instanceof ClaimResult.InProgress p) {
            return inProgress(step, p);
        } else if (result instanceof ClaimResult.Conflict) {
            return conflict(step);
        }
        return Optional.empty();
    }

    /**
     * Against every other acquisition: tokens rise with order, and every lower-token holding had surely ended before
     * {@code b} (completed and past retention, released, or its lease lapsed).
     */
    private Optional<HistoryJudge.Violation> acquired(HistoryCall.Step b) {
        long token = b.acquiredToken();
        for (HistoryCall.Step a : key.acquisitions) {
            if (a == b) {
                continue;
            }
            // an acquisition surely before b with a higher token: tokens went down (DESIGN §8)
            if (StoreTimeWindows.precedes(a, b) && a.acquiredToken() > token) {
                return key.fail("tokens strictly increase per key", a, b);
            }
            if (a.acquiredToken() >= token) {
                continue; // a later holder: b is the earlier one of the pair, judged from a's side
            }
            Optional<HistoryCall.Step> completion = key.terminal(a.acquiredToken(), true)
                    .filter(t -> t.call.startSeq < b.call.endSeq)
                    .findFirst();
            if (completion.isPresent()) {
                HistoryCall.Step c = completion.get();
                if (time.high(b) < time.low(c) + time.retention()) {
                    return key.fail("a completed key is not acquired again within its retention", a, c, b);
                }
                continue;
            }
            // not completed: b may acquire only after a's release or a's lapsed lease (G1)
            boolean released = key.terminal(a.acquiredToken(), false)
                    .anyMatch(r -> r.kind() == HistoryCall.Kind.RELEASE && r.call.startSeq < b.call.endSeq);
            if (!released && time.high(b) < a.leaseUntil() && !key.unknownBefore(b)) {
                return key.fail("at most one live owner per key: acquired while an earlier lease was live", a, b);
            }
        }
        return Optional.empty();
    }

    /**
     * The duplicate's body names the completion it came from (every completion writes its own body); that completion
     * must have been made before, applied, still retained, not replaced by a newer acquisition, and stored with a
     * fingerprint that does not conflict with the one asked.
     */
    private Optional<HistoryJudge.Violation> duplicate(HistoryCall.Step d, long bodyId) {
        HistoryCall.Step c = key.completionOf.get(bodyId);
        if (c == null || c.call.startSeq > d.call.endSeq) {
            return key.fail("a duplicate carries the outcome of a completion made before it", d);
        }
        if (c.fenced()) {
            return key.fail("a fenced write changes nothing: a duplicate carries a fenced completion's outcome", c, d);
        }
        if (time.low(d) >= time.high(c) + time.retention()) {
            return key.fail("a completed key is forgotten after its retention: duplicate past expiry", c, d);
        }
        HistoryCall.Step a = key.acquisitionOf.get(c.token);
        Optional<HistoryCall.Step> newer = key.newerBefore(c.token, d);
        if (newer.isPresent()) {
            return key.fail(
                    "a duplicate answers the current record, not one a later acquisition replaced", c, newer.get(), d);
        }
        if (a != null && KeyHistory.conflicting(a.fingerprint, d.fingerprint)) {
            return key.fail("a claim with another fingerprint than the stored one is a conflict", a, c, d);
        }
        return Optional.empty();
    }

    /** In progress needs a live answered lease and an acquisition that was neither replaced nor ended before. */
    private Optional<HistoryJudge.Violation> inProgress(HistoryCall.Step p, ClaimResult.InProgress answer) {
        if (key.unknownBefore(p)) {
            return Optional.empty();
        }
        // the lease the answer names must still be running at some time the call may have taken effect
        if (answer.leaseUntil().toEpochMilli() < time.low(p)) {
            return key.fail("in progress means a live lease: the answered lease had ended", p);
        }
        for (HistoryCall.Step a : key.acquisitions) {
            if (a.call.startSeq < p.call.endSeq
                    && key.newerBefore(a.acquiredToken(), p).isEmpty()
                    && key.terminal(a.acquiredToken(), false).noneMatch(t -> StoreTimeWindows.precedes(t, p))) {
                return Optional.empty();
            }
        }
        return key.fail("in progress needs a holder that may still hold the key", p);
    }

    /** A conflict needs a current acquisition whose fingerprint differs from the one asked. */
    private Optional<HistoryJudge.Violation> conflict(HistoryCall.Step x) {
        if (key.unknownBefore(x)) {
            return Optional.empty();
        }
        for (HistoryCall.Step a : key.acquisitions) {
            if (a.call.startSeq < x.call.endSeq
                    && key.newerBefore(a.acquiredToken(), x).isEmpty()
                    && KeyHistory.conflicting(a.fingerprint, x.fingerprint)) {
                return Optional.empty();
            }
        }
        return key.fail("a conflict needs a current record stored with another fingerprint", x);
    }
}
