package io.dedup.kafka.internal;

import io.dedup.ClaimedBatch;
import io.dedup.DedupConsumer;
import io.dedup.DedupResult;
import io.dedup.MessageHandler;
import io.dedup.OutcomeCodecs;
import io.dedup.ResultHandler;
import io.dedup.kafka.PollOutcome;
import io.dedup.kafka.RecordStatus;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
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
        return run(claim(records, inspect, null), handler, startable);
    }

    /**
     * A poll's records claimed and not run yet: one claimed batch per topic. Made by {@link #claim}; {@link #run}
     * runs it, {@link #giveBack} releases it unrun. Thread-safe as its claimed batches are; one owner at a time.
     */
    public static final class Claimed {
        private final LeasedSlot[] slots;
        private final List<Indexes> topics;
        private final List<ClaimedBatch<ConsumerRecord<?, ?>>> batches;

        private Claimed(LeasedSlot[] slots, List<Indexes> topics, List<ClaimedBatch<ConsumerRecord<?, ?>>> batches) {
            this.slots = slots;
            this.topics = topics;
            this.batches = batches;
        }

        /** This poll's claimed batch of {@code topic}, or null when it has none. */
        private ClaimedBatch<ConsumerRecord<?, ?>> batchOf(String topic) {
            for (int t = 0; t < topics.size(); t++) {
                if (topics.get(t).topic.equals(topic)) {
                    return batches.get(t);
                }
            }
            return null;
        }
    }

    /**
     * Claims one poll's records: per topic one claimed batch, after setting aside what is bad input or was
     * dead-lettered already. With {@code behind} (the poll claimed before, possibly still running), a key that poll
     * holds is claimed only once it settled there ({@link io.dedup.DedupConsumer#claimAllBehind}).
     *
     * @param records per partition in offset order
     * @param inspect finds bad input before any claim (null when the record is fine)
     */
    public Claimed claim(
            List<? extends ConsumerRecord<?, ?>> records,
            Function<ConsumerRecord<?, ?>, BadInput> inspect,
            Claimed behind) {
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
        List<Indexes> topics = new ArrayList<>(byTopic.values());
        List<ClaimedBatch<ConsumerRecord<?, ?>>> batches = new ArrayList<>(topics.size());
        try {
            // One claimed batch per topic, since each topic has its own dedup consumer (key extractor, metrics)
            for (Indexes topic : topics) {
                List<ConsumerRecord<?, ?>> batch = new ArrayList<>(topic.size);
                for (int j = 0; j < topic.size; j++) {
                    batch.add(slots[topic.at[j]].record);
                }
                DedupConsumer<ConsumerRecord<?, ?>> consumer =
                        context.consumers().consumerFor(topic.topic);
                ClaimedBatch<ConsumerRecord<?, ?>> earlier = behind == null ? null : behind.batchOf(topic.topic);
                batches.add(earlier == null ? consumer.claimAll(batch) : consumer.claimAllBehind(batch, earlier));
            }
        } catch (RuntimeException | Error e) {
            batches.forEach(ClaimedBatch::close); // what was claimed already is given back
            throw e;
        }
        return new Claimed(slots, topics, batches);
    }

    /** Gives back, unrun, every key {@code claimed} holds. */
    public void giveBack(Claimed claimed) {
        claimed.batches.forEach(ClaimedBatch::close);
    }

    /**
     * Runs and settles claimed records, and says which offsets are safe to commit.
     *
     * @param startable whether records of a partition may still be started (false once it is being revoked)
     * @return what became of each record, the offsets to commit, where to rewind and when to retry
     */
    public PollOutcome run(
            Claimed claimed, MessageHandler<ConsumerRecord<?, ?>> handler, Predicate<TopicPartition> startable) {
        LeasedSlot[] slots = claimed.slots;
        ResultHandler<ConsumerRecord<?, ?>, Void> run = ResultHandler.of(handler);
        Set<TopicPartition> blocked = new HashSet<>(); // a record of it waits: its later records do not start
        // A partition's records all belong to one topic, so offset order per partition holds across the topics.
        try {
            for (int t = 0; t < claimed.topics.size(); t++) {
                int[] at = claimed.topics.get(t).at;
                ClaimedBatch<ConsumerRecord<?, ?>> batch = claimed.batches.get(t);
                boolean[] ranOk = new boolean[batch.entries().size()];
                for (ClaimedBatch.Entry<ConsumerRecord<?, ?>> entry : batch.entries()) {
                    LeasedSlot slot = slots[at[entry.index()]];
                    if (!entry.mayRun()) {
                        if (mustWait(batch, entry, ranOk)) {
                            blocked.add(slot.partition);
                        }
                        // A record behind one that waits, or of a partition being revoked, must not start: it is given
                        // back, and the rewind (or the next owner) brings it again in order.
                    } else if (blocked.contains(slot.partition) || !startable.test(slot.partition)) {
                        batch.skip(entry); // released unstarted: it comes again after the rewind
                    } else {
                        ranOk[entry.index()] = run(batch, entry, slot, run, blocked);
                    }
                }
                // Completions written (complete) and every other key given back (close) before the results are read:
                // only then is every entry's result final.
                batch.complete();
                batch.close();
                for (ClaimedBatch.Entry<ConsumerRecord<?, ?>> entry : batch.entries()) {
                    results.classify(slots[at[entry.index()]], entry.result());
                }
            }
        } finally {
            giveBack(claimed); // after a failure, the topics not reached are given back too (closing is idempotent)
        }
        // Dead letters after every topic ran, so one publish round trip covers the poll; in partition order, so a
        // dead letter never overtakes a record before it that still waits.
        deadLetters.holdBackBehindWaiting(slots);
        deadLetters.publish(slots);
        return results.outcome(slots);
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
}
