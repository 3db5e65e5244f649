package io.dedup.testkit;

import io.dedup.DedupKey;
import io.dedup.spi.ClaimResult;
import io.dedup.spi.StoredRecord;
import io.dedup.spi.WriteResult;
import java.util.List;
import java.util.Optional;

/**
 * One call a checker worker made on the store: what it asked, what it got, and when. A batch call holds one step
 * per element. Filled in by the worker that made the call and read by the judge only after every worker finished
 * (or, for a hung call, after the history was abandoned).
 */
final class HistoryCall {
    /** The store operation a call made; batch kinds hold one step per element. */
    enum Kind {
        CLAIM,
        CLAIM_ALL,
        COMPLETE,
        COMPLETE_ALL,
        RENEW,
        RELEASE,
        FIND
    }

    /**
     * One element of a call.
     *
     * <p>Inputs: {@code fingerprint} for claims, {@code token} for writes, {@code bodyId} (the unique body written)
     * for completions. Output: {@code result}, a {@link ClaimResult}, {@link WriteResult} or {@code
     * Optional<StoredRecord>}; null when the call threw, so its effect is unknown.
     */
    static final class Step {
        /** The call this step belongs to; its order and clock windows are the step's. */
        final HistoryCall call;
        /** The step's position in its call: a batch's answers are matched to requests by it. */
        final int index;
        /** The key the step concerns. */
        final DedupKey key;
        /** The fingerprint a claim asked with; empty for writes and finds. */
        final Optional<String> fingerprint;
        /** The token a write used; 0 for claims and finds. */
        final long token;
        /** The body a completion wrote; 0 for anything else. */
        final long bodyId;
        /** The store's answer; written by the worker, read by the judge after the history ended. */
        volatile Object result;

        /** A step of {@code call}, not yet answered. */
        Step(HistoryCall call, int index, DedupKey key, Optional<String> fingerprint, long token, long bodyId) {
            this.call = call;
            this.index = index;
            this.key = key;
            this.fingerprint = fingerprint;
            this.token = token;
            this.bodyId = bodyId;
        }

        /** The kind of the call this step belongs to. */
        Kind kind() {
            return call.kind;
        }

        /** A claim, alone or in a batch. */
        boolean isClaim() {
            return call.kind == Kind.CLAIM || call.kind == Kind.CLAIM_ALL;
        }

        /** A completion, alone or in a batch. */
        boolean isComplete() {
            return call.kind == Kind.COMPLETE || call.kind == Kind.COMPLETE_ALL;
        }

        /** A write that ends a holding (completion or release), after which the token writes nothing more. */
        boolean isTerminalWrite() {
            return isComplete() || call.kind == Kind.RELEASE;
        }

        /** A write with a token: the terminal writes and renewals. */
        boolean isWrite() {
            return isTerminalWrite() || call.kind == Kind.RENEW;
        }

        /** Whether the store applied this write. */
        boolean applied() {
            return result instanceof WriteResult.Applied;
        }

        /** Whether the store refused this write because the token was not current. */
        boolean fenced() {
            return result instanceof WriteResult.Fenced;
        }

        /** A write whose effect is unknown: its call threw, or the batch answered Failed for it. */
        boolean unknown() {
            return result == null || result instanceof WriteResult.Failed || result instanceof ClaimResult.Failed;
        }

        /** The acquisition this claim step answered, or null for any other answer. */
        ClaimResult.Acquired acquired() {
            return result instanceof ClaimResult.Acquired a ? a : null;
        }

        /** The token of the acquisition; only for steps whose {@link #acquired()} is not null. */
        long acquiredToken() {
            return acquired().claim().token();
        }

        /** The acquired lease's end in epoch milliseconds, by the store's clock; only for acquisitions. */
        long leaseUntil() {
            return acquired().claim().leaseUntil().toEpochMilli();
        }

        /** What a find step returned; only for find steps that answered. */
        @SuppressWarnings("unchecked")
        Optional<StoredRecord> found() {
            return (Optional<StoredRecord>) result;
        }
    }

    /** The call's number, in the order calls were created; shown in reports as {@code #id}. */
    final long id;
    /** The worker that made the call; one worker's calls never overlap. */
    final int worker;

    /** What the call did. */
    final Kind kind;
    /** One step per element; filled before the call starts and never changed after. */
    final List<Step> steps;
    /** Order numbers of the call's start and end from the history's global sequence; end is MAX_VALUE while running. */
    volatile long startSeq;

    volatile long endSeq = Long.MAX_VALUE;
    /** Store-clock readings before and after the call; the call took effect somewhere in between. */
    volatile long startMillis;

    volatile long endMillis = Long.MAX_VALUE;
    /** The JVM's nano time at the start, for the call timeout only. */
    volatile long startNanos;
    /** What the call threw, or null; a throwing call has an unknown effect. */
    volatile Throwable error;

    /** A call of {@code worker}, not yet started. */
    HistoryCall(long id, int worker, Kind kind, List<Step> steps) {
        this.id = id;
        this.worker = worker;
        this.kind = kind;
        this.steps = steps;
    }

    /** Whether the call returned (or threw); a call that never finished hangs the history. */
    boolean finished() {
        return endSeq != Long.MAX_VALUE;
    }
}
