package io.dedup.testkit;

import io.dedup.DedupKey;
import io.dedup.DedupStoreFullException;
import io.dedup.spi.ClaimResult;
import io.dedup.spi.RecordState;
import io.dedup.spi.StoredRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Judges a recorded history against the sequential model of a key's record (DESIGN §1): absent &rarr;
 * IN_PROGRESS(token, lease) &rarr; COMPLETED(outcome, retention) or RELEASED &rarr; absent, with takeover of a lapsed
 * lease under a higher token.
 *
 * <p>Calls overlap, so the judge never assumes an order the history does not prove. Call A precedes call B only
 * when A returned before B was made (their order numbers say so), and a call happened at some store time inside
 * its window: the clock read before and after it, widened by the clock tolerance. Each rule below fails only when
 * no order and no time inside the windows could explain the answer, so a correct store never fails; each rule is
 * still tight enough to see two owners, a duplicate answered past retention, a stale conflict, and a write that
 * took effect although it was fenced. Every completion writes a body no other writes, so a duplicate's or a found
 * record's outcome names the completion it came from.
 *
 * <p>A call that threw (a full bounded store, say) has an unknown effect: the rules that would need to know it
 * (why a claim was in progress or in conflict, why a record was found absent) are not judged for its keys after it.
 */
final class HistoryJudge {
    /** A broken rule, with the steps that show it. */
    record Violation(String rule, DedupKey key, List<HistoryCall.Step> steps) {}

    private final History history;
    private final Map<Long, HistoryCall.Step> completions = new HashMap<>();
    private final long tolerance;
    private final long retention;

    HistoryJudge(History history, long toleranceMillis) {
        this.history = history;
        this.tolerance = toleranceMillis;
        this.retention = history.settings().retention().toMillis();
    }

    Optional<Violation> judge() {
        Optional<HistoryCall> hung = history.hung();
        if (hung.isPresent()) {
            HistoryCall call = hung.get();
            return Optional.of(new Violation(
                    "no call hangs: this call did not return within "
                            + history.settings().callTimeout(),
                    call.steps.get(0).key,
                    call.steps));
        }
        for (HistoryCall call : history.calls()) {
            call.steps.stream().filter(HistoryCall.Step::isComplete).forEach(s -> completions.put(s.bodyId, s));
        }
        Map<DedupKey, List<HistoryCall.Step>> byKey = new LinkedHashMap<>();
        for (HistoryCall call : history.calls()) {
            if (call.error != null && !(call.error instanceof DedupStoreFullException)) {
                return Optional.of(new Violation(
                        "no call fails on a healthy store: threw " + call.error, call.steps.get(0).key, call.steps));
            }
            for (HistoryCall.Step step : call.steps) {
                byKey.computeIfAbsent(step.key, k -> new ArrayList<>()).add(step);
            }
            Optional<Violation> batch = batchAsSequence(call);
            if (batch.isPresent()) {
                return batch;
            }
        }
        for (Map.Entry<DedupKey, List<HistoryCall.Step>> entry : byKey.entrySet()) {
            Optional<Violation> found = new KeyJudge(entry.getKey(), entry.getValue()).judge();
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }

    /**
     * A batch answers as the same calls one at a time: a repeated key sees what its earlier element did. Other
     * workers may act between the elements, so only what they cannot undo is judged: a key the batch acquired stays
     * in progress, and a duplicate stays the same duplicate, unless its lease or its record may have ended inside the
     * call.
     */
    private Optional<Violation> batchAsSequence(HistoryCall call) {
        if (call.kind != HistoryCall.Kind.CLAIM_ALL || call.error != null) {
            return Optional.empty();
        }
        long callEnds = high(call.steps.get(0)); // the latest store time inside the call
        for (int j = 1; j < call.steps.size(); j++) {
            HistoryCall.Step later = call.steps.get(j);
            for (int i = 0; i < j; i++) {
                HistoryCall.Step earlier = call.steps.get(i);
                if (!earlier.key.equals(later.key) || later.result instanceof ClaimResult.Conflict) {
                    continue;
                }
                Object then = later.result;
                boolean consistent = true;
                if (earlier.result instanceof ClaimResult.Acquired a) {
                    consistent =
                            a.claim().leaseUntil().toEpochMilli() <= callEnds || then instanceof ClaimResult.InProgress;
                } else if (earlier.result instanceof ClaimResult.Duplicate d) {
                    HistoryCall.Step completion =
                            completions.get(History.bodyId(d.outcome().body()));
                    consistent = completion == null // judged by the duplicate rule
                            || low(completion) + retention <= callEnds
                            || then instanceof ClaimResult.Duplicate d2
                                    && History.bodyId(d.outcome().body())
                                            == History.bodyId(d2.outcome().body());
                }
                if (!consistent) {
                    return Optional.of(new Violation(
                            "a batch answers as the same claims one at a time: element " + j
                                    + " repeats the key of element " + i,
                            later.key,
                            List.of(earlier, later)));
                }
            }
        }
        return Optional.empty();
    }

    /** The rules for the steps of one key. */
    private final class KeyJudge {
        private final DedupKey key;
        private final List<HistoryCall.Step> steps;
        private final List<HistoryCall.Step> acquisitions = new ArrayList<>();
        private final Map<Long, HistoryCall.Step> acquisitionOf = new HashMap<>();
        private final Map<Long, HistoryCall.Step> completionOf = new HashMap<>();
        private final List<HistoryCall.Step> unknown = new ArrayList<>();

        KeyJudge(DedupKey key, List<HistoryCall.Step> steps) {
            this.key = key;
            this.steps = steps;
        }

        Optional<Violation> judge() {
            for (HistoryCall.Step step : steps) {
                if (step.unknown()) {
                    unknown.add(step);
                } else if (step.acquired() != null) {
                    HistoryCall.Step other = acquisitionOf.put(step.acquiredToken(), step);
                    if (other != null) {
                        return fail("tokens never repeat for a key", other, step);
                    }
                    acquisitions.add(step);
                }
                if (step.isComplete()) {
                    completionOf.put(step.bodyId, step);
                }
            }
            for (HistoryCall.Step step : steps) {
                Optional<Violation> found = check(step);
                if (found.isPresent()) {
                    return found;
                }
            }
            return Optional.empty();
        }

        private Optional<Violation> check(HistoryCall.Step step) {
            if (step.unknown()) {
                return Optional.empty();
            }
            if (step.isClaim()) {
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
            if (step.isWrite()) {
                return step.applied() ? applied(step) : fenced(step);
            }
            return found(step);
        }

        // ------------------------------------------------------------ claims

        private Optional<Violation> acquired(HistoryCall.Step b) {
            long token = b.acquiredToken();
            for (HistoryCall.Step a : acquisitions) {
                if (a == b) {
                    continue;
                }
                if (precedes(a, b) && a.acquiredToken() > token) {
                    return fail("tokens strictly increase per key", a, b);
                }
                if (a.acquiredToken() >= token) {
                    continue;
                }
                // a's holding must have ended before b: released, completed and expired, or its lease lapsed
                Optional<HistoryCall.Step> completion = terminal(a.acquiredToken(), true)
                        .filter(t -> t.call.startSeq < b.call.endSeq)
                        .findFirst();
                if (completion.isPresent()) {
                    HistoryCall.Step c = completion.get();
                    if (high(b) < low(c) + retention) {
                        return fail("a completed key is not acquired again within its retention", a, c, b);
                    }
                    continue;
                }
                boolean released = terminal(a.acquiredToken(), false)
                        .anyMatch(r -> r.kind() == HistoryCall.Kind.RELEASE && r.call.startSeq < b.call.endSeq);
                if (!released && high(b) < a.leaseUntil() && !unknownBefore(b)) {
                    return fail("at most one live owner per key: acquired while an earlier lease was live", a, b);
                }
            }
            return Optional.empty();
        }

        private Optional<Violation> duplicate(HistoryCall.Step d, long bodyId) {
            HistoryCall.Step c = completionOf.get(bodyId);
            if (c == null || c.call.startSeq > d.call.endSeq) {
                return fail("a duplicate carries the outcome of a completion made before it", d);
            }
            if (c.fenced()) {
                return fail("a fenced write changes nothing: a duplicate carries a fenced completion's outcome", c, d);
            }
            if (low(d) >= high(c) + retention) {
                return fail("a completed key is forgotten after its retention: duplicate past expiry", c, d);
            }
            HistoryCall.Step a = acquisitionOf.get(c.token);
            Optional<HistoryCall.Step> newer = newerBefore(c.token, d);
            if (newer.isPresent()) {
                return fail(
                        "a duplicate answers the current record, not one a later acquisition replaced",
                        c,
                        newer.get(),
                        d);
            }
            if (a != null && conflicting(a.fingerprint, d.fingerprint)) {
                return fail("a claim with another fingerprint than the stored one is a conflict", a, c, d);
            }
            return Optional.empty();
        }

        private Optional<Violation> inProgress(HistoryCall.Step p, ClaimResult.InProgress answer) {
            if (unknownBefore(p)) {
                return Optional.empty();
            }
            if (answer.leaseUntil().toEpochMilli() < low(p)) {
                return fail("in progress means a live lease: the answered lease had ended", p);
            }
            for (HistoryCall.Step a : acquisitions) {
                if (a.call.startSeq < p.call.endSeq
                        && newerBefore(a.acquiredToken(), p).isEmpty()
                        && terminal(a.acquiredToken(), false).noneMatch(t -> precedes(t, p))) {
                    return Optional.empty();
                }
            }
            return fail("in progress needs a holder that may still hold the key", p);
        }

        private Optional<Violation> conflict(HistoryCall.Step x) {
            if (unknownBefore(x)) {
                return Optional.empty();
            }
            for (HistoryCall.Step a : acquisitions) {
                if (a.call.startSeq < x.call.endSeq
                        && newerBefore(a.acquiredToken(), x).isEmpty()
                        && conflicting(a.fingerprint, x.fingerprint)) {
                    return Optional.empty();
                }
            }
            return fail("a conflict needs a current record stored with another fingerprint", x);
        }

        // ------------------------------------------------------------ writes

        private Optional<Violation> applied(HistoryCall.Step w) {
            HistoryCall.Step a = acquisitionOf.get(w.token);
            if (a == null || a.call.startSeq > w.call.endSeq) {
                return unknownBefore(w)
                        ? Optional.empty()
                        : fail("a write applies only with a token the store handed out", w);
            }
            Optional<HistoryCall.Step> newer = newerBefore(w.token, w);
            if (newer.isPresent()) {
                return fail("a fenced write changes nothing: applied after the key was taken over", a, newer.get(), w);
            }
            Optional<HistoryCall.Step> ended = terminal(w.token, false)
                    .filter(t -> t != w && (precedes(t, w) || w.isTerminalWrite()))
                    .findFirst();
            if (ended.isPresent()) {
                return fail(
                        "a fenced write changes nothing: applied after the holder completed or released",
                        a,
                        ended.get(),
                        w);
            }
            return Optional.empty();
        }

        private Optional<Violation> fenced(HistoryCall.Step w) {
            HistoryCall.Step a = acquisitionOf.get(w.token);
            if (a == null || unknownBefore(w) || high(w) >= a.leaseUntil()) {
                return Optional.empty();
            }
            boolean takenOver =
                    acquisitions.stream().anyMatch(n -> n.acquiredToken() > w.token && n.call.startSeq < w.call.endSeq);
            boolean ended = terminal(w.token, false).anyMatch(t -> t != w && t.call.startSeq < w.call.endSeq);
            if (!takenOver && !ended && a.call.endSeq < w.call.startSeq) {
                return fail("the holder of a live lease can write: fenced although the token was current", a, w);
            }
            return Optional.empty();
        }

        // ------------------------------------------------------------ find

        private Optional<Violation> found(HistoryCall.Step f) {
            if (unknownBefore(f)) {
                return Optional.empty();
            }
            Optional<StoredRecord> found = f.found();
            if (found.isEmpty()) {
                return absent(f);
            }
            StoredRecord r = found.get();
            HistoryCall.Step a = acquisitionOf.get(r.token());
            if (a == null || a.call.startSeq > f.call.endSeq) {
                return fail("find shows a record some claim acquired", f);
            }
            Optional<HistoryCall.Step> newer = newerBefore(r.token(), f);
            if (newer.isPresent()) {
                return fail("find shows the current record, not one a later acquisition replaced", a, newer.get(), f);
            }
            if (r.state() == RecordState.IN_PROGRESS) {
                Optional<HistoryCall.Step> ended =
                        terminal(r.token(), false).filter(t -> precedes(t, f)).findFirst();
                return ended.isPresent()
                        ? fail("find agrees with the model: in progress after it ended", a, ended.get(), f)
                        : Optional.empty();
            }
            boolean completed = r.state() == RecordState.COMPLETED;
            long bodyId = r.outcome().map(o -> History.bodyId(o.body())).orElse(-1L);
            Optional<HistoryCall.Step> write = terminal(r.token(), false)
                    .filter(t -> t.call.startSeq < f.call.endSeq && t.isComplete() == completed)
                    .filter(t -> !completed || t.bodyId == bodyId)
                    .findFirst();
            if (write.isEmpty()) {
                return fail("find agrees with the model: " + r.state() + " with no such applied write", a, f);
            }
            if (low(f) >= high(write.get()) + retention) {
                return fail("find agrees with the model: shows a record past its retention", write.get(), f);
            }
            return Optional.empty();
        }

        /** Absent is wrong only when the latest record that surely exists surely has not expired yet. */
        private Optional<Violation> absent(HistoryCall.Step f) {
            HistoryCall.Step latest = null;
            for (HistoryCall.Step a : acquisitions) {
                if (precedes(a, f) && (latest == null || a.acquiredToken() > latest.acquiredToken())) {
                    latest = a;
                }
            }
            if (latest == null) {
                return Optional.empty();
            }
            long token = latest.acquiredToken();
            long expiresNoEarlierThan = latest.leaseUntil() + retention;
            for (HistoryCall.Step t : terminal(token, false).toList()) {
                if (t.call.startSeq < f.call.endSeq) {
                    long after = low(t) + retention;
                    expiresNoEarlierThan = precedes(t, f) ? after : Math.min(expiresNoEarlierThan, after);
                }
            }
            if (high(f) < expiresNoEarlierThan) {
                return fail("find agrees with the model: absent while the record was live", latest, f);
            }
            return Optional.empty();
        }

        // ------------------------------------------------------------ helpers

        /** Applied completions (or, with {@code completionsOnly} false, completions and releases) of a token. */
        private java.util.stream.Stream<HistoryCall.Step> terminal(long token, boolean completionsOnly) {
            return steps.stream()
                    .filter(s -> s.token == token && s.applied())
                    .filter(s -> completionsOnly ? s.isComplete() : s.isTerminalWrite());
        }

        /** An acquisition with a higher token that surely happened before {@code step}. */
        private Optional<HistoryCall.Step> newerBefore(long token, HistoryCall.Step step) {
            return acquisitions.stream()
                    .filter(n -> n.acquiredToken() > token && precedes(n, step))
                    .findFirst();
        }

        private boolean unknownBefore(HistoryCall.Step step) {
            return unknown.stream().anyMatch(u -> u.call.startSeq < step.call.endSeq && u.call != step.call);
        }

        private Optional<Violation> fail(String rule, HistoryCall.Step... involved) {
            return Optional.of(new Violation(rule, key, List.of(involved)));
        }
    }

    private static boolean conflicting(Optional<String> stored, Optional<String> asked) {
        return stored.isPresent() && asked.isPresent() && !stored.equals(asked);
    }

    private static boolean precedes(HistoryCall.Step a, HistoryCall.Step b) {
        return a.call.endSeq < b.call.startSeq;
    }

    /** The earliest store time at which the step may have happened. */
    private long low(HistoryCall.Step step) {
        return step.call.startMillis - tolerance;
    }

    /** The latest store time at which the step may have happened. */
    private long high(HistoryCall.Step step) {
        return step.call.endMillis + tolerance;
    }
}
