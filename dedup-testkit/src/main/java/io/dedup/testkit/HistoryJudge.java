package io.dedup.testkit;

import io.dedup.DedupKey;
import io.dedup.DedupStoreFullException;
import io.dedup.spi.ClaimResult;
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
 *
 * <p>This class judges what spans a whole history (no call hangs, none fails on a healthy store, a batch answers as
 * the same claims one at a time) and hands each key's steps to the per-key rules: {@link ClaimRules}, {@link
 * WriteRules}, {@link FindRules}. Used by {@link StoreModelCheck} after every worker finished; not thread-safe.
 */
final class HistoryJudge {
    /** A broken rule, with the steps that show it. */
    record Violation(String rule, DedupKey key, List<HistoryCall.Step> steps) {}

    /** The history judged. */
    private final History history;
    /** Every completion of the history by the body it wrote, across keys: a batch's duplicate is matched to it. */
    private final Map<Long, HistoryCall.Step> completions = new HashMap<>();
    /** When each step may have happened, and the retention. */
    private final StoreTimeWindows time;

    /** A judge of {@code history}, whose store clock may be {@code toleranceMillis} from the checker's. */
    HistoryJudge(History history, long toleranceMillis) {
        this.history = history;
        this.time = new StoreTimeWindows(
                toleranceMillis, history.settings().retention().toMillis());
    }

    /** The first broken rule found, or empty when some order and timing of the calls explains every answer. */
    Optional<Violation> judge() {
        // a hung call is a finding in itself, and the rest of its history cannot be judged without its answer
        Optional<HistoryCall> hung = history.hung();
        if (hung.isPresent()) {
            HistoryCall call = hung.get();
            return Optional.of(new Violation(
                    "no call hangs: this call did not return within "
                            + history.settings().callTimeout(),
                    call.steps.get(0).key,
                    call.steps));
        }
        // completions are indexed across keys first: a batch's duplicate may name one made by any call
        for (HistoryCall call : history.calls()) {
            call.steps.stream().filter(HistoryCall.Step::isComplete).forEach(s -> completions.put(s.bodyId, s));
        }
        Map<DedupKey, List<HistoryCall.Step>> byKey = new LinkedHashMap<>();
        for (HistoryCall call : history.calls()) {
            // a bounded store may refuse a claim when full; any other exception from a healthy store is a fault
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
        // keys are independent records: each is judged against the model on its own
        for (Map.Entry<DedupKey, List<HistoryCall.Step>> entry : byKey.entrySet()) {
            Optional<Violation> found = judgeKey(KeyHistory.index(entry.getKey(), entry.getValue()));
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }

    /** Runs every step of one key past the rule set for its kind of call. */
    private Optional<Violation> judgeKey(KeyHistory key) {
        if (key.repeatedToken().isPresent()) {
            return key.repeatedToken();
        }
        ClaimRules claims = new ClaimRules(key, time);
        WriteRules writes = new WriteRules(key, time);
        FindRules finds = new FindRules(key, time);
        for (HistoryCall.Step step : key.steps) {
            if (step.unknown()) {
                continue;
            }
            Optional<Violation> found =
                    step.isClaim() ? claims.check(step) : step.isWrite() ? writes.check(step) : finds.check(step);
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
        long callEnds = time.high(call.steps.get(0)); // the latest store time inside the call
        for (int j = 1; j < call.steps.size(); j++) {
            HistoryCall.Step later = call.steps.get(j);
            for (int i = 0; i < j; i++) {
                HistoryCall.Step earlier = call.steps.get(i);
                if (!earlier.key.equals(later.key) || later.result instanceof ClaimResult.Conflict) {
                    continue;
                }
                // what the earlier element answered constrains the later one, unless time inside the call ended it
                Object then = later.result;
                boolean consistent = true;
                // acquired earlier in the batch: the repeat must see it in progress, unless its lease may have ended
                if (earlier.result instanceof ClaimResult.Acquired a) {
                    consistent =
                            a.claim().leaseUntil().toEpochMilli() <= callEnds || then instanceof ClaimResult.InProgress;
                } else if (earlier.result instanceof ClaimResult.Duplicate d) {
                    // a duplicate earlier in the batch: the repeat must carry the same outcome, unless it expired
                    HistoryCall.Step completion =
                            completions.get(History.bodyId(d.outcome().body()));
                    consistent = completion == null // judged by the duplicate rule
                            || time.low(completion) + time.retention() <= callEnds
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
}
