package io.dedup.rabbitmq.internal;

import io.dedup.Claim;
import io.dedup.DeadLetterReason;
import io.dedup.DedupException;
import io.dedup.DedupResult;
import io.dedup.IdempotencyConflictException;
import io.dedup.OutcomeStatus;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

/**
 * What to do with one delivery after dedup decided about it, in broker terms. Immutable; built by {@link
 * BatchJudge} and carried out by {@link BatchSettler}.
 *
 * @param delivery the delivery
 * @param kind the action
 * @param reply an RPC reply to publish before the ack, or null
 * @param replayed whether {@code reply} came from the store (a duplicate request)
 * @param reason why it is dead-lettered, or null
 * @param error the error to record with a dead letter or retry (an {@code Error} the handler threw, unchanged), or
 *     null
 * @param attempts how many times the handler ran for the key (for retries and dead letters)
 * @param delay how long a deferred or retried delivery waits before it comes back; zero for the other kinds
 */
record Verdict(
        PendingDelivery delivery,
        Kind kind,
        byte[] reply,
        boolean replayed,
        DeadLetterReason reason,
        Throwable error,
        int attempts,
        Duration delay) {
    /** The shortest wait of a deferred delivery (unless the configured delay is shorter). */
    static final Duration MIN_DEFERRAL = Duration.ofMillis(100);
    /** How long after the holder's lease end a deferred delivery comes back at the latest. */
    static final Duration LEASE_END_MARGIN = Duration.ofMillis(100);

    enum Kind {
        /** Done: ack (after publishing the reply, if any). */
        ACK,
        /** Key held elsewhere or lease lost: bring it back after {@link Verdict#delay()}. */
        DEFER,
        /** Handler failed with attempts left: bring it back after {@link Verdict#delay()}. */
        RETRY,
        /** Give up: dead-letter it with the reason. */
        DEAD_LETTER,
        /** Store unavailable: keep it unacked and try again after a pause. */
        BACK_OFF,
        /** Claimed but never started (its batch was cut short): run it again in the next batch, at once. */
        RELEASED
    }

    /**
     * Judges one result.
     *
     * @param rpc whether the handler's result is an RPC reply body ({@code byte[]}) to publish
     * @param redeliveryDelay the configured delay: of a retry, and of a first deferral
     */
    static Verdict of(
            PendingDelivery delivery, DedupResult<?> result, boolean rpc, int maxAttempts, Duration redeliveryDelay) {
        boolean reply = rpc && delivery.wantsReply();
        if (result instanceof DedupResult.Processed<?> processed) {
            return ack(delivery, reply ? body(processed.result()) : null, false);
        }
        if (result instanceof DedupResult.Duplicate<?> duplicate) {
            if (deadLetterOwed(delivery, duplicate, maxAttempts)) {
                return deadLetter(
                        delivery, DeadLetterReason.HANDLER_FAILED, failedBefore(duplicate), delivery.attempt());
            }
            boolean replay = reply && duplicate.outcome().status() == OutcomeStatus.SUCCEEDED;
            return ack(delivery, replay ? duplicate.outcome().body() : null, replay);
        }
        if (result instanceof DedupResult.Unguarded<?> unguarded) {
            return ack(delivery, reply ? body(unguarded.result()) : null, false);
        }
        if (result instanceof DedupResult.InProgress<?> inProgress) {
            Duration delay = deferral(redeliveryDelay, delivery.deferrals(), inProgress.leaseUntil(), Instant.now());
            return new Verdict(delivery, Kind.DEFER, null, false, null, null, delivery.attempt() - 1, delay);
        }
        if (result instanceof DedupResult.Fenced<?>) {
            // the key's new holder is alive and completes it soon: the next look finds a duplicate
            return new Verdict(delivery, Kind.DEFER, null, false, null, null, delivery.attempt() - 1, redeliveryDelay);
        }
        if (result instanceof DedupResult.Released<?>) {
            return new Verdict(delivery, Kind.RELEASED, null, false, null, null, 0, Duration.ZERO);
        }
        if (result instanceof DedupResult.Conflict<?> conflict) {
            return deadLetter(
                    delivery, DeadLetterReason.KEY_CONFLICT, new IdempotencyConflictException(conflict.key()), 0);
        }
        if (result instanceof DedupResult.Rejected<?> rejected) {
            return deadLetter(delivery, DeadLetterReason.forRejection(rejected.reason()), rejected.reason(), 0);
        }
        if (result instanceof DedupResult.Failed<?> failed) {
            // the larger of two counts: the header is lost when a delivery is requeued as it is, the store's count
            // when the key's record is gone
            int attempts = Math.max(
                    delivery.attempt(), failed.claim().map(Claim::attempt).orElse(0));
            if (attempts >= maxAttempts || failed.keyMarkedFailed()) {
                return deadLetter(delivery, DeadLetterReason.HANDLER_FAILED, failed.error(), attempts);
            }
            return new Verdict(delivery, Kind.RETRY, null, false, null, failed.error(), attempts, redeliveryDelay);
        }
        return backOff(delivery);
    }

    /**
     * Whether a duplicate is the last attempt of a delivery whose key core marked failed ({@code
     * FailurePolicy.MARK_FAILED}) but whose dead letter was never confirmed: the key is marked before the dead letter
     * is published, so a crash or a closed channel in between brings the last attempt back as a duplicate, and acking
     * it would lose the message. Such a delivery carries the last attempt's count; a first delivery (attempt 1 with
     * {@code maxAttempts} 1) counts only when the broker redelivers it, so that a later copy of a message already
     * dead-lettered stays a plain duplicate. A copy of the last attempt delivered twice is so dead-lettered twice:
     * a dead letter too many rather than a message lost.
     */
    private static boolean deadLetterOwed(
            PendingDelivery delivery, DedupResult.Duplicate<?> duplicate, int maxAttempts) {
        return duplicate.outcome().status() == OutcomeStatus.FAILED
                && delivery.attempt() >= maxAttempts
                && (delivery.attempt() > 1 || delivery.getEnvelope().isRedeliver());
    }

    /** The error a dead letter reports for a key core marked failed: what its stored outcome says. */
    private static Exception failedBefore(DedupResult.Duplicate<?> duplicate) {
        return new DedupException("the handler failed on its last attempt: "
                + new String(duplicate.outcome().body(), StandardCharsets.UTF_8));
    }

    /** Store unavailable: keep it and try again after a pause. */
    static Verdict backOff(PendingDelivery delivery) {
        return new Verdict(delivery, Kind.BACK_OFF, null, false, null, null, 0, Duration.ZERO);
    }

    /** The same verdict, recording {@code error} (the handler's own {@code Error}) instead of core's wrapper. */
    Verdict withError(Throwable error) {
        return new Verdict(delivery, kind, reply, replayed, reason, error, attempts, delay);
    }

    /** The same verdict, held for {@code delay}: a dead letter the broker did not take, to publish again then. */
    Verdict withDelay(Duration delay) {
        return new Verdict(delivery, kind, reply, replayed, reason, error, attempts, delay);
    }

    /** The same delivery, deferred for {@code delay}: its republishing was not confirmed. */
    Verdict requeuedAfter(Duration delay) {
        return new Verdict(delivery, Kind.DEFER, null, false, null, null, 0, delay);
    }

    /**
     * How long a delivery whose key is held elsewhere waits: the configured delay, doubled with each earlier
     * deferral, but never past the end of the holder's lease (plus a little, so that it comes back to a lapsed lease
     * rather than just before it), and never less than {@link #MIN_DEFERRAL} (or the configured delay if shorter),
     * so a lease that has just lapsed, or a clock that is off, cannot make a hot loop. A crashed consumer's keys are
     * so taken over about when their lease ends, after a few looks rather than one a second.
     */
    static Duration deferral(Duration base, int deferrals, Instant leaseUntil, Instant now) {
        long baseMillis = Math.max(1, base.toMillis());
        long grown = baseMillis << Math.min(Math.max(deferrals, 0), 20);
        long untilLeaseEnd = Duration.between(now, leaseUntil).toMillis() + LEASE_END_MARGIN.toMillis();
        long floor = Math.min(baseMillis, MIN_DEFERRAL.toMillis());
        return Duration.ofMillis(Math.max(floor, Math.min(grown, untilLeaseEnd)));
    }

    private static Verdict ack(PendingDelivery delivery, byte[] reply, boolean replayed) {
        return new Verdict(delivery, Kind.ACK, reply, replayed, null, null, 0, Duration.ZERO);
    }

    private static Verdict deadLetter(
            PendingDelivery delivery, DeadLetterReason reason, Throwable error, int attempts) {
        return new Verdict(delivery, Kind.DEAD_LETTER, null, false, reason, error, attempts, Duration.ZERO);
    }

    private static byte[] body(Object result) {
        return result == null ? new byte[0] : (byte[]) result;
    }
}
