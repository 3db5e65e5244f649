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
        final HistoryCall call;
        final int index;
        final DedupKey key;
        final Optional<String> fingerprint;
        final long token;
        final long bodyId;
        volatile Object result;

        Step(HistoryCall call, int index, DedupKey key, Optional<String> fingerprint, long token, long bodyId) {
            this.call = call;
            this.index = index;
            this.key = key;
            this.fingerprint = fingerprint;
            this.token = token;
            this.bodyId = bodyId;
        }

        Kind kind() {
            return call.kind;
        }

        boolean isClaim() {
            return call.kind == Kind.CLAIM || call.kind == Kind.CLAIM_ALL;
        }

        boolean isComplete() {
            return call.kind == Kind.COMPLETE || call.kind == Kind.COMPLETE_ALL;
        }

        boolean isTerminalWrite() {
            return isComplete() || call.kind == Kind.RELEASE;
        }

        boolean isWrite() {
            return isTerminalWrite() || call.kind == Kind.RENEW;
        }

        boolean applied() {
            return result instanceof WriteResult.Applied;
        }

        boolean fenced() {
            return result instanceof WriteResult.Fenced;
        }

        /** A write whose effect is unknown: its call threw, or the batch answered Failed for it. */
        boolean unknown() {
            return result == null || result instanceof WriteResult.Failed || result instanceof ClaimResult.Failed;
        }

        ClaimResult.Acquired acquired() {
            return result instanceof ClaimResult.Acquired a ? a : null;
        }

        long acquiredToken() {
            return acquired().claim().token();
        }

        long leaseUntil() {
            return acquired().claim().leaseUntil().toEpochMilli();
        }

        @SuppressWarnings("unchecked")
        Optional<StoredRecord> found() {
            return (Optional<StoredRecord>) result;
        }
    }

    final long id;
    final int worker;
    final Kind kind;
    final List<Step> steps;
    volatile long startSeq;
    volatile long endSeq = Long.MAX_VALUE;
    volatile long startMillis;
    volatile long endMillis = Long.MAX_VALUE;
    volatile long startNanos;
    volatile Throwable error;

    HistoryCall(long id, int worker, Kind kind, List<Step> steps) {
        this.id = id;
        this.worker = worker;
        this.kind = kind;
        this.steps = steps;
    }

    boolean finished() {
        return endSeq != Long.MAX_VALUE;
    }
}
