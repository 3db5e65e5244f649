package io.dedup.rabbitmq;

import io.dedup.Claim;
import io.dedup.DedupException;
import io.dedup.DedupResult;
import io.dedup.DedupStoreCorruptionException;
import io.dedup.IdempotencyConflictException;
import io.dedup.IdempotencyKeyMissingException;
import io.dedup.OutcomeStatus;

/**
 * What to do with one delivery after dedup decided about it, in broker terms.
 *
 * @param delivery the delivery
 * @param kind the action
 * @param reply an RPC reply to publish before the ack, or null
 * @param replayed whether {@code reply} came from the store (a duplicate request)
 * @param reason why it is dead-lettered, or null
 * @param error the error to record with a dead letter, or null
 * @param attempts how many times the handler ran for the key (for retries and dead letters)
 */
record Verdict(
        PendingDelivery delivery,
        Kind kind,
        byte[] reply,
        boolean replayed,
        DeadLetterReason reason,
        Exception error,
        int attempts) {

    enum Kind {
        /** Done: ack (after publishing the reply, if any). */
        ACK,
        /** Key held elsewhere or lease lost: bring it back after the redelivery delay. */
        DEFER,
        /** Handler failed with attempts left: bring it back after the redelivery delay. */
        RETRY,
        /** Give up: dead-letter it with the reason. */
        DEAD_LETTER,
        /** Store unavailable: keep it unacked and try again after a pause. */
        BACK_OFF
    }

    /**
     * Judges one result.
     *
     * @param rpc whether the handler's result is an RPC reply body ({@code byte[]}) to publish
     */
    static Verdict of(PendingDelivery delivery, DedupResult<?> result, boolean rpc, int maxAttempts) {
        boolean reply = rpc && delivery.wantsReply();
        if (result instanceof DedupResult.Processed<?> processed) {
            return ack(delivery, reply ? body(processed.result()) : null, false);
        }
        if (result instanceof DedupResult.Duplicate<?> duplicate) {
            boolean replay = reply && duplicate.outcome().status() == OutcomeStatus.SUCCEEDED;
            return ack(delivery, replay ? duplicate.outcome().body() : null, replay);
        }
        if (result instanceof DedupResult.Unguarded<?> unguarded) {
            return ack(delivery, reply ? body(unguarded.result()) : null, false);
        }
        if (result instanceof DedupResult.InProgress<?> || result instanceof DedupResult.Fenced<?>) {
            return new Verdict(delivery, Kind.DEFER, null, false, null, null, delivery.attempt() - 1);
        }
        if (result instanceof DedupResult.Conflict<?> conflict) {
            return deadLetter(delivery, DeadLetterReason.CONFLICT, new IdempotencyConflictException(conflict.key()), 0);
        }
        if (result instanceof DedupResult.Rejected<?> rejected) {
            return deadLetter(delivery, reasonOf(rejected.reason()), rejected.reason(), 0);
        }
        if (result instanceof DedupResult.Failed<?> failed) {
            int attempts = Math.max(
                    delivery.attempt(), failed.claim().map(Claim::attempt).orElse(0));
            if (attempts >= maxAttempts || failed.keyMarkedFailed()) {
                return deadLetter(delivery, DeadLetterReason.HANDLER_FAILED, failed.error(), attempts);
            }
            return new Verdict(delivery, Kind.RETRY, null, false, null, failed.error(), attempts);
        }
        return new Verdict(delivery, Kind.BACK_OFF, null, false, null, null, 0);
    }

    private static Verdict ack(PendingDelivery delivery, byte[] reply, boolean replayed) {
        return new Verdict(delivery, Kind.ACK, reply, replayed, null, null, 0);
    }

    private static Verdict deadLetter(
            PendingDelivery delivery, DeadLetterReason reason, Exception error, int attempts) {
        return new Verdict(delivery, Kind.DEAD_LETTER, null, false, reason, error, attempts);
    }

    private static byte[] body(Object result) {
        return result == null ? new byte[0] : (byte[]) result;
    }

    private static DeadLetterReason reasonOf(DedupException reason) {
        if (reason instanceof IdempotencyKeyMissingException) {
            return DeadLetterReason.KEY_MISSING;
        }
        if (reason instanceof DedupStoreCorruptionException) {
            return DeadLetterReason.STORE_RECORD_UNREADABLE;
        }
        return DeadLetterReason.KEY_UNREADABLE;
    }
}
