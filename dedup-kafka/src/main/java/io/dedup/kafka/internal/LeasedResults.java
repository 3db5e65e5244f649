package io.dedup.kafka.internal;

import io.dedup.DeadLetterReason;
import io.dedup.DedupException;
import io.dedup.DedupResult;
import io.dedup.IdempotencyConflictException;
import io.dedup.OutcomeStatus;
import io.dedup.kafka.PollOutcome;
import io.dedup.kafka.RecordOutcome;
import io.dedup.kafka.RecordStatus;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * What each core result means for a record of a leased batch: its {@link RecordStatus}, a dead letter owed, or a
 * retry or deferral with its delay. Failures and deferrals are counted in the instance's {@link RecordMemory}, so
 * that the back-off grows and the last attempt is known across the redeliveries of one record.
 *
 * <p>Thread-safe: no state of its own; {@link RecordMemory} is thread-safe.
 */
final class LeasedResults {
    private final KafkaDedupSettings settings;
    private final RecordMemory memory;
    private final KafkaMetrics metrics;

    LeasedResults(KafkaDedupSettings settings, RecordMemory memory, KafkaMetrics metrics) {
        this.settings = settings;
        this.memory = memory;
        this.metrics = metrics;
    }

    /** Sets the slot's status (or dead letter owed) from the result its claim and run came to. */
    void classify(LeasedSlot slot, DedupResult<?> result) {
        slot.result = result;
        long offset = slot.record.offset();
        if (result instanceof DedupResult.Processed<?>) {
            slot.status = RecordStatus.PROCESSED;
            memory.done(slot.partition, offset);
        } else if (result instanceof DedupResult.Duplicate<?> duplicate) {
            int failures = memory.failures(slot.partition, offset);
            if (duplicate.outcome().status() == OutcomeStatus.FAILED && failures >= settings.maxAttempts()) {
                // this consumer marked it failed on its last attempt; its dead letter is still owed
                slot.deadLetter(DeadLetterReason.HANDLER_FAILED, failedBefore(duplicate), failures);
                return;
            }
            slot.status = RecordStatus.DUPLICATE;
            memory.done(slot.partition, offset);
        } else if (result instanceof DedupResult.Unguarded<?>) {
            slot.status = RecordStatus.UNGUARDED;
            memory.done(slot.partition, offset);
        } else if (result instanceof DedupResult.InProgress<?> inProgress) {
            deferred(slot, inProgress.leaseUntil());
        } else if (result instanceof DedupResult.Fenced<?>) {
            deferred(slot, null);
        } else if (result instanceof DedupResult.Released<?>) {
            slot.status = RecordStatus.NOT_STARTED;
        } else if (result instanceof DedupResult.Conflict<?> conflict) {
            slot.deadLetter(DeadLetterReason.KEY_CONFLICT, new IdempotencyConflictException(conflict.key()), 0);
        } else if (result instanceof DedupResult.Rejected<?> rejected) {
            slot.deadLetter(DeadLetterReason.forRejection(rejected.reason()), rejected.reason(), 0);
        } else if (result instanceof DedupResult.Unavailable<?> unavailable) {
            slot.status = RecordStatus.STORE_UNAVAILABLE;
            slot.error = unavailable.cause();
        } else {
            DedupResult.Failed<?> failed = (DedupResult.Failed<?>) result;
            Throwable error = failed.error().getCause() instanceof Error e ? e : failed.error();
            int failures = memory.failures(slot.partition, offset);
            if (failures >= settings.maxAttempts()) {
                slot.deadLetter(DeadLetterReason.HANDLER_FAILED, error, failures);
            } else {
                slot.status = RecordStatus.RETRY;
                slot.error = error;
                slot.attempts = failures;
                slot.delay = settings.retryDelay(failures);
                metrics.retried(slot.partition.topic());
            }
        }
    }

    /**
     * The record's key is held elsewhere (or its lease was taken over while it waited): its partition waits, and the
     * wait grows with each deferral of the record, but never reaches past the holder's lease when the store said.
     */
    private void deferred(LeasedSlot slot, Instant leaseUntil) {
        slot.status = RecordStatus.DEFERRED;
        int deferrals = memory.deferred(slot.partition, slot.record.offset());
        slot.delay = settings.deferDelay(deferrals, leaseUntil, Instant.now());
        metrics.deferred(slot.partition.topic());
    }

    /** The error a dead letter reports for a key core marked failed: what the stored outcome says. */
    private static Exception failedBefore(DedupResult.Duplicate<?> duplicate) {
        return new DedupException("the handler failed on its last attempt: "
                + new String(duplicate.outcome().body(), StandardCharsets.UTF_8));
    }

    /**
     * The poll's outcome: per partition the offset after the contiguous run of done records from its start (the
     * watermark) to commit, and the first record not done to rewind to. A record done after one that is not does
     * not move the watermark: offsets are committed only below every record still owed, and the store answers the
     * done ones as duplicates when they come again.
     */
    PollOutcome outcome(LeasedSlot[] slots) {
        Map<TopicPartition, Long> watermark = new LinkedHashMap<>();
        Map<TopicPartition, Long> rewind = new LinkedHashMap<>();
        Map<TopicPartition, Duration> retryAfter = new LinkedHashMap<>();
        boolean unavailable = false;
        List<RecordOutcome> outcomes = new ArrayList<>(slots.length);
        for (LeasedSlot slot : slots) {
            long offset = slot.record.offset();
            unavailable |= slot.status == RecordStatus.STORE_UNAVAILABLE;
            outcomes.add(new RecordOutcome(
                    slot.partition,
                    offset,
                    slot.status,
                    Optional.ofNullable(slot.deadLetterReason),
                    Optional.ofNullable(slot.error)));
            if (rewind.containsKey(slot.partition)) {
                continue;
            }
            if (slot.status.isDone()) {
                watermark.put(slot.partition, offset + 1);
            } else {
                rewind.put(slot.partition, offset);
                if (slot.delay != null && !slot.delay.isZero()) {
                    retryAfter.put(slot.partition, slot.delay);
                }
            }
        }
        Map<TopicPartition, OffsetAndMetadata> commit = new LinkedHashMap<>();
        watermark.forEach((partition, next) -> {
            commit.put(partition, new OffsetAndMetadata(next));
            memory.committed(partition, next);
        });
        return new PollOutcome(commit, rewind, retryAfter, unavailable, outcomes);
    }
}
