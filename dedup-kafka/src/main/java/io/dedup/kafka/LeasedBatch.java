package io.dedup.kafka;

import io.dedup.ClaimedBatch;
import io.dedup.DeadLetterReason;
import io.dedup.DedupConsumer;
import io.dedup.DedupException;
import io.dedup.DedupResult;
import io.dedup.DedupStoreCorruptionException;
import io.dedup.IdempotencyConflictException;
import io.dedup.IdempotencyKeyMissingException;
import io.dedup.MessageHandler;
import io.dedup.OutcomeCodecs;
import io.dedup.OutcomeStatus;
import io.dedup.ResultHandler;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One poll's records through the leased mode: per topic one {@link DedupConsumer#claimAll} batch (one claim and one
 * completion round trip), handlers in offset order per partition, then dead letters, then the contiguous watermark
 * per partition. A record whose handler failed with attempts left holds back the later records of its partition, and
 * so (unless {@code passDeferred}) does one whose key is in progress elsewhere: they are given back unstarted.
 * Under {@link io.dedup.FailurePolicy#MARK_FAILED} the last attempt runs as core's final attempt, so core marks
 * the key failed.
 *
 * <p>Thread-safe: per-call state only, plus the instance's {@link RecordMemory}.
 */
final class LeasedBatch {
    private static final Logger LOG = LoggerFactory.getLogger(LeasedBatch.class);

    /** A record rejected before any claim: why, and the exception that said so if any. */
    record BadInput(DeadLetterReason reason, Exception error) {}

    private final KafkaDedup dedup;
    private final KafkaDedupSettings settings;
    private final RecordMemory memory;
    private final LeasedDeadLetters deadLetters;

    LeasedBatch(KafkaDedup dedup) {
        this.dedup = dedup;
        this.settings = dedup.settings;
        this.memory = dedup.memory;
        this.deadLetters = new LeasedDeadLetters(dedup);
    }

    static BadInput tombstone(ConsumerRecord<?, ?> record) {
        return record.value() == null ? new BadInput(DeadLetterReason.TOMBSTONE, null) : null;
    }

    /**
     * @param records per partition in offset order
     * @param inspect finds bad input before any claim (null when the record is fine)
     * @param startable whether records of a partition may still be started (false once it is being revoked)
     */
    PollOutcome process(
            List<? extends ConsumerRecord<?, ?>> records,
            Function<ConsumerRecord<?, ?>, BadInput> inspect,
            MessageHandler<ConsumerRecord<?, ?>> handler,
            Predicate<TopicPartition> startable) {
        int n = records.size();
        LeasedSlot[] slots = new LeasedSlot[n];
        Map<String, Indexes> byTopic = new LinkedHashMap<>();
        Indexes current = null; // polls come grouped by partition: most records share the previous one's topic
        TopicPartition partition = null;
        for (int i = 0; i < n; i++) {
            ConsumerRecord<?, ?> record = records.get(i);
            if (partition == null
                    || partition.partition() != record.partition()
                    || !partition.topic().equals(record.topic())) {
                partition = new TopicPartition(record.topic(), record.partition());
            }
            LeasedSlot slot = new LeasedSlot(record, partition);
            slots[i] = slot;
            if (memory.wasDeadLettered(partition, record.offset())) {
                slot.status = RecordStatus.DEAD_LETTERED;
                continue;
            }
            BadInput bad = inspect.apply(record);
            if (bad != null) {
                slot.deadLetter(bad.reason(), bad.error(), 0);
                continue;
            }
            if (current == null || !current.topic.equals(record.topic())) {
                current = byTopic.computeIfAbsent(record.topic(), t -> new Indexes(t, n));
            }
            current.add(i);
        }
        ResultHandler<ConsumerRecord<?, ?>, Void> run = ResultHandler.of(handler);
        Set<TopicPartition> blocked = new HashSet<>(); // a record of it waits: its later records do not start
        for (Indexes topic : byTopic.values()) {
            int[] at = topic.at;
            List<ConsumerRecord<?, ?>> batch = new ArrayList<>(topic.size);
            for (int j = 0; j < topic.size; j++) {
                batch.add(slots[at[j]].record);
            }
            try (ClaimedBatch<ConsumerRecord<?, ?>> claimed =
                    dedup.consumerFor(topic.topic).claimAll(batch)) {
                boolean[] ranOk = new boolean[batch.size()];
                for (ClaimedBatch.Entry<ConsumerRecord<?, ?>> entry : claimed.entries()) {
                    LeasedSlot slot = slots[at[entry.index()]];
                    if (!entry.mayRun()) {
                        if (mustWait(claimed, entry, ranOk)) {
                            blocked.add(slot.partition);
                        }
                    } else if (blocked.contains(slot.partition) || !startable.test(slot.partition)) {
                        claimed.skip(entry); // released unstarted: it comes again after the rewind
                    } else {
                        ranOk[entry.index()] = run(claimed, entry, slot, run, blocked);
                    }
                }
                claimed.complete();
                claimed.close();
                for (ClaimedBatch.Entry<ConsumerRecord<?, ?>> entry : claimed.entries()) {
                    classify(slots[at[entry.index()]], entry.result());
                }
            }
        }
        deadLetters.holdBackBehindWaiting(slots);
        deadLetters.publish(slots);
        return outcome(slots);
    }

    /** The positions in the poll of one topic's records that go to the store. */
    private static final class Indexes {
        final String topic;
        final int[] at;
        int size;

        Indexes(String topic, int capacity) {
            this.topic = topic;
            this.at = new int[capacity];
        }

        void add(int index) {
            at[size++] = index;
        }
    }

    /** Whether an entry that may not run holds back the later records of its partition. */
    private boolean mustWait(
            ClaimedBatch<ConsumerRecord<?, ?>> claimed,
            ClaimedBatch.Entry<ConsumerRecord<?, ?>> entry,
            boolean[] ranOk) {
        DedupResult<?> result = entry.result();
        if (result == null && entry.repeatOf().isPresent()) {
            // a repeat is settled by its first: a duplicate when the first ran or was itself a duplicate
            int first = entry.repeatOf().getAsInt();
            return !ranOk[first] && !(claimed.entries().get(first).result() instanceof DedupResult.Duplicate<?>);
        }
        if (result == null) { // acquired, but its lease was taken over while it waited: settled as fenced
            return !settings.passDeferred();
        }
        if (result instanceof DedupResult.InProgress<?> || result instanceof DedupResult.Fenced<?>) {
            return !settings.passDeferred();
        }
        return result instanceof DedupResult.Unavailable<?>;
    }

    /** Runs one record's handler; true when it finished. An Error is logged and the record takes the failure path. */
    private boolean run(
            ClaimedBatch<ConsumerRecord<?, ?>> claimed,
            ClaimedBatch.Entry<ConsumerRecord<?, ?>> entry,
            LeasedSlot slot,
            ResultHandler<ConsumerRecord<?, ?>, Void> handler,
            Set<TopicPartition> blocked) {
        long offset = slot.record.offset();
        boolean lastAttempt = memory.failures(slot.partition, offset) + 1 >= settings.maxAttempts();
        DedupResult<Void> result;
        boolean threw = false;
        try {
            result = claimed.run(entry, handler, OutcomeCodecs.none(), lastAttempt);
        } catch (Error error) {
            threw = true;
            LOG.error(
                    "the handler of {} threw {}; its key was released and the record is retried or dead-lettered",
                    KafkaDedup.describe(slot.record),
                    error.toString(),
                    error);
            result = null;
        }
        DedupResult<?> settled = result != null ? result : entry.result();
        if (settled instanceof DedupResult.Failed<?>) {
            if (memory.failed(slot.partition, offset) < settings.maxAttempts()) {
                blocked.add(slot.partition); // its later records wait for this one's retry
            }
            return false;
        }
        if (settled instanceof DedupResult.Fenced<?> && !settings.passDeferred()) {
            blocked.add(slot.partition);
        }
        // null from run: the handler finished. Core's completion writer may have recorded it (and settled the
        // entry) already, so the entry's own result is no test of that.
        return result == null && !threw;
    }

    private void classify(LeasedSlot slot, DedupResult<?> result) {
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
            slot.deadLetter(reasonFor(rejected.reason()), rejected.reason(), 0);
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
                dedup.metrics.retried(slot.partition.topic());
            }
        }
    }

    private void deferred(LeasedSlot slot, Instant leaseUntil) {
        slot.status = RecordStatus.DEFERRED;
        int deferrals = memory.deferred(slot.partition, slot.record.offset());
        slot.delay = settings.deferDelay(deferrals, leaseUntil, Instant.now());
        dedup.metrics.deferred(slot.partition.topic());
    }

    private static Exception failedBefore(DedupResult.Duplicate<?> duplicate) {
        return new DedupException("the handler failed on its last attempt: "
                + new String(duplicate.outcome().body(), StandardCharsets.UTF_8));
    }

    static DeadLetterReason reasonFor(io.dedup.DedupException rejection) {
        if (rejection instanceof IdempotencyKeyMissingException) {
            return DeadLetterReason.KEY_MISSING;
        }
        if (rejection instanceof DedupStoreCorruptionException) {
            return DeadLetterReason.STORE_RECORD_CORRUPT;
        }
        return DeadLetterReason.KEY_UNREADABLE;
    }

    private PollOutcome outcome(LeasedSlot[] slots) {
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
