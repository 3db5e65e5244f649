package io.dedup.kafka.internal;

import io.dedup.ClaimedBatch;
import io.dedup.DedupConsumer;
import io.dedup.DedupResult;
import io.dedup.MessageHandler;
import io.dedup.OutcomeCodecs;
import io.dedup.ResultHandler;
import io.dedup.kafka.PollOutcome;
import io.dedup.kafka.RecordOutcome;
import io.dedup.kafka.RecordStatus;
import java.time.Duration;
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
public final class LeasedBatch {
    private static final Logger LOG = LoggerFactory.getLogger(LeasedBatch.class);

    private final KafkaDedupContext context;
    private final KafkaDedupSettings settings;
    private final RecordMemory memory;
    private final LeasedDeadLetters deadLetters;
    private final LeasedResults results;

    public LeasedBatch(KafkaDedupContext context) {
        this.context = context;
        this.settings = context.settings();
        this.memory = context.memory();
        this.deadLetters = new LeasedDeadLetters(context);
        this.results = new LeasedResults(settings, memory, context.metrics());
    }

    /**
     * Claims, runs and settles one poll's records, and says which offsets are safe to commit.
     *
     * @param records per partition in offset order
     * @param inspect finds bad input before any claim (null when the record is fine)
     * @param startable whether records of a partition may still be started (false once it is being revoked)
     * @return what became of each record, the offsets to commit, where to rewind and when to retry
     */
    public PollOutcome process(
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
            // Redelivered after a rewind although its dead letter went out: publishing it again would duplicate the
            // dead letter, and claiming it could run the handler of a record already set aside.
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
        // One claimed batch per topic, since each topic has its own dedup consumer (key extractor, metrics); a
        // partition's records all belong to one topic, so offset order per partition holds across the topics.
        for (Indexes topic : byTopic.values()) {
            int[] at = topic.at;
            List<ConsumerRecord<?, ?>> batch = new ArrayList<>(topic.size);
            for (int j = 0; j < topic.size; j++) {
                batch.add(slots[at[j]].record);
            }
            try (ClaimedBatch<ConsumerRecord<?, ?>> claimed =
                    context.consumers().consumerFor(topic.topic).claimAll(batch)) {
                boolean[] ranOk = new boolean[batch.size()];
                for (ClaimedBatch.Entry<ConsumerRecord<?, ?>> entry : claimed.entries()) {
                    LeasedSlot slot = slots[at[entry.index()]];
                    if (!entry.mayRun()) {
                        if (mustWait(claimed, entry, ranOk)) {
                            blocked.add(slot.partition);
                        }
                        // A record behind one that waits, or of a partition being revoked, must not start: it is given
                        // back, and the
                        // rewind (or the next owner) brings it again in order.
                    } else if (blocked.contains(slot.partition) || !startable.test(slot.partition)) {
                        claimed.skip(entry); // released unstarted: it comes again after the rewind
                    } else {
                        ranOk[entry.index()] = run(claimed, entry, slot, run, blocked);
                    }
                }
                // Completions written (complete) and every other key given back (close) before the results are read:
                // only then is every entry's result final.
                claimed.complete();
                claimed.close();
                for (ClaimedBatch.Entry<ConsumerRecord<?, ?>> entry : claimed.entries()) {
                    results.classify(slots[at[entry.index()]], entry.result());
                }
            }
        }
        // Dead letters after every topic ran, so one publish round trip covers the poll; in partition order, so a
        // dead letter never overtakes a record before it that still waits.
        deadLetters.holdBackBehindWaiting(slots);
        deadLetters.publish(slots);
        return outcome(slots);
    }

    /**
     * The positions in the poll of one topic's records that go to the store: an int array rather than a list of
     * boxed indexes, since a poll may hold thousands of records.
     */
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

    /**
     * Runs one record's handler; true when it finished. An Error is logged and the record takes the failure path.
     * On the record's last attempt core runs it as its final one, so that under {@code MARK_FAILED} core marks the
     * key failed rather than releasing it.
     */
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
                    TopicConsumers.describe(slot.record),
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

    /**
     * The poll's outcome: per partition the offset after the contiguous run of done records from its start (the
     * watermark) to commit, and the first record not done to rewind to. A record done after one that is not does
     * not move the watermark: offsets are committed only below every record still owed, and the store answers the
     * done ones as duplicates when they come again.
     */
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
