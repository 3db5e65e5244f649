package io.dedup.testkit;

import io.dedup.DedupKey;
import io.dedup.spi.ClaimResult;
import io.dedup.spi.StoredRecord;
import io.dedup.spi.WriteResult;
import java.nio.ByteBuffer;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The calls of one generated history, in the order they started, and how to print them. A failing history is
 * printed with its seed, so a reader can both read what happened and replay it; the text shows each call's order
 * window and clock window, which are all the judge relies on.
 *
 * @param seed the random seed the history was generated from; the same seed generates the same calls
 * @param store the store's {@code describe()}, for the report
 * @param baseMillis the store-clock time the history started at; printed times are relative to it
 * @param calls every call, in the order they were started
 */
record History(long seed, String store, CheckerSettings settings, long baseMillis, List<HistoryCall> calls) {

    /** A call that did not return within the call timeout, if any. */
    Optional<HistoryCall> hung() {
        return calls.stream().filter(c -> !c.finished()).min(Comparator.comparingLong(c -> c.startSeq));
    }

    /** The history as text; {@code only} limits it to the calls touching that key (null: every call). */
    String format(DedupKey only) {
        StringBuilder out = new StringBuilder();
        out.append("history seed=")
                .append(seed)
                .append(" store=")
                .append(store)
                .append(" calls=")
                .append(calls.size())
                .append(" ")
                .append(settings)
                .append('\n')
                .append("  times are store-clock ms after the start; [a..b] is the call's window, <s..e> its order\n");
        for (HistoryCall call : calls) {
            // a batch that touched the key is shown whole: its other elements may explain the answer
            if (only != null && call.steps.stream().noneMatch(s -> s.key.equals(only))) {
                continue;
            }
            out.append(String.format(
                    "  #%-4d w%d <%d..%s> [%d..%s] %s",
                    call.id,
                    call.worker,
                    call.startSeq,
                    call.finished() ? Long.toString(call.endSeq) : "?",
                    call.startMillis - baseMillis,
                    call.finished() ? Long.toString(call.endMillis - baseMillis) : "hung",
                    call.kind));
            if (call.error != null) {
                out.append(" threw ").append(call.error);
            }
            out.append('\n');
            for (HistoryCall.Step step : call.steps) {
                out.append("      ").append(describe(step)).append('\n');
            }
        }
        return out.toString();
    }

    /**
     * One step as {@code key input -> answer}, with times relative to the history's start so two lines compare at a glance.
     */
    private String describe(HistoryCall.Step step) {
        StringBuilder s = new StringBuilder(step.key.id());
        if (step.isClaim()) {
            s.append(" fp=").append(step.fingerprint.orElse("-"));
        } else if (step.isWrite()) {
            s.append(" token=").append(step.token);
        }
        if (step.isComplete()) {
            s.append(" body=").append(step.bodyId);
        }
        return s.append(" -> ").append(result(step.result)).toString();
    }

    /**
     * An answer in the fewest words that still let a reader replay the judge's reasoning: tokens, lease ends and body ids.
     */
    private String result(Object result) {
        if (result == null) {
            return "(no answer)";
        }
        if (result instanceof ClaimResult.Acquired a) {
            return "Acquired(token=" + a.claim().token() + ", leaseUntil="
                    + (a.claim().leaseUntil().toEpochMilli() - baseMillis) + ")";
        }
        if (result instanceof ClaimResult.Duplicate d) {
            return "Duplicate(body=" + bodyId(d.outcome().body()) + ")";
        }
        if (result instanceof ClaimResult.InProgress p) {
            return "InProgress(leaseUntil=" + (p.leaseUntil().toEpochMilli() - baseMillis) + ")";
        }
        if (result instanceof ClaimResult.Conflict) {
            return "Conflict";
        }
        if (result instanceof ClaimResult.Failed f) {
            return "Failed(" + f.cause() + ")";
        }
        if (result instanceof WriteResult w) {
            return w.getClass().getSimpleName();
        }
        if (result instanceof Optional<?> found) {
            if (found.isEmpty()) {
                return "absent";
            }
            StoredRecord r = (StoredRecord) found.get();
            return r.state() + "(token=" + r.token() + ", expiresAt="
                    + (r.expiresAt().toEpochMilli() - baseMillis)
                    + r.leaseUntil()
                            .map(l -> ", leaseUntil=" + (l.toEpochMilli() - baseMillis))
                            .orElse("")
                    + r.fingerprint().map(f -> ", fp=" + f).orElse("")
                    + r.outcome().map(o -> ", body=" + bodyId(o.body())).orElse("") + ")";
        }
        return String.valueOf(result);
    }

    /**
     * The completion id a checker body carries, or -1 for a body the checker never wrote (a store that returned
     * someone else's bytes, which the duplicate rule then reports).
     */
    static long bodyId(byte[] body) {
        return body.length == Long.BYTES ? ByteBuffer.wrap(body).getLong() : -1;
    }

    /**
     * The body completion {@code id} writes: eight bytes, so every completion's outcome names the completion it came from.
     */
    static byte[] body(long id) {
        return ByteBuffer.allocate(Long.BYTES).putLong(id).array();
    }
}
