package io.dedup.kafka.internal;

import io.dedup.DeadLetterReason;
import io.dedup.DedupConsumer;
import io.dedup.DedupStoreUnavailableException;
import io.dedup.kafka.DeadLetter;
import io.dedup.kafka.PollOutcome;
import io.dedup.kafka.RecordOutcome;
import io.dedup.kafka.RecordStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * One poll's records through transactions that hold the handlers' effects and the consumed offsets together (a
 * Kafka transaction, or a store transaction): one transaction per topic, its keys claimed as one batch of core's.
 *
 * <p>A transaction covers what ran: a record that may not start (its partition is being revoked, the runner is
 * closing, an earlier record of its partition waits for a key in progress elsewhere) is given back unstarted and the
 * others commit without it. Only a handler failure, whose writes are in the transaction and must not commit, rolls
 * the transaction back: the records before it then run again in a new one, and the batch is cut at the failed record
 * (it and everything after it come again with the next poll).
 *
 * <p>Not thread-safe: one batch at a time, on the runner's handler thread.
 */
final class TransactionalBatch {
    /** Starts transactions; a mode's link to them. */
    interface Transactions {
        /**
         * Begins one.
         *
         * @throws DedupStoreUnavailableException if the store cannot begin a transaction
         */
        TransactionAttempt begin();

        /** Whether {@code failure} means this instance must stop (e.g. a fenced producer). */
        boolean fatal(Throwable failure);
    }

    private final KafkaDedupContext context;
    private final KafkaDedupSettings settings;
    private final Transactions transactions;

    TransactionalBatch(KafkaDedupContext context, Transactions transactions) {
        this.context = context;
        this.settings = context.settings();
        this.transactions = transactions;
    }

    /**
     * Runs one poll's records, one topic after the other, each topic in transactions until one commits.
     *
     * @param inspect finds bad input (null when fine); may remember the deserialized form for the handler
     * @param startable whether a partition's records may still start (false once it is being revoked)
     * @return what became of each record; the offsets committed already (in the transaction), where to rewind
     */
    PollOutcome process(
            List<ConsumerRecord<byte[], byte[]>> records,
            Function<ConsumerRecord<?, ?>, BadInput> inspect,
            Predicate<TopicPartition> startable) {
        int n = records.size();
        RoundRecords all = new RoundRecords(n);
        Map<String, List<Integer>> byTopic = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            ConsumerRecord<byte[], byte[]> record = records.get(i);
            BadInput bad = inspect.apply(record);
            if (bad != null) {
                all.deadLetters[i] = deadLetter(record, bad.reason(), bad.error(), 0);
            }
            byTopic.computeIfAbsent(record.topic(), t -> new ArrayList<>()).add(i);
        }
        for (Map.Entry<String, List<Integer>> topic : byTopic.entrySet()) {
            List<Integer> indexes = topic.getValue();
            List<ConsumerRecord<byte[], byte[]>> part = new ArrayList<>(indexes.size());
            indexes.forEach(i -> part.add(records.get(i)));
            RoundRecords mine = all.slice(indexes);
            runTopic(context.consumers().consumerFor(topic.getKey()), part, mine, startable);
            all.merge(mine, indexes);
        }
        // A transaction that failed to commit leaves nothing behind; its records wait the retry back-off (at least
        // 100 ms, so that a broker or database that refuses every commit is not hammered) and come again.
        Duration commitFailed = !all.commitFailed
                ? null
                : settings.retryBackoff().isZero() ? Duration.ofMillis(100) : settings.retryBackoff();
        return outcome(records, all, all.storeUnavailable, commitFailed);
    }

    /**
     * The records of one topic: attempts until one commits, each cut before the record that failed the last. Every
     * round either commits (the loop ends) or stops at a record, and the next round ends before it (or at it, when it
     * takes its dead letter), so the rounds get shorter and the loop ends.
     */
    private void runTopic(
            DedupConsumer<ConsumerRecord<?, ?>> consumer,
            List<ConsumerRecord<byte[], byte[]>> records,
            RoundRecords state,
            Predicate<TopicPartition> startable) {
        int limit = records.size();
        while (limit > 0) {
            TransactionRound round =
                    new TransactionRound(this, context, consumer, records, state, startable, transactions);
            TransactionRound.Result result = round.run(limit);
            if (result == null) {
                break; // committed
            }
            int i = result.index();
            ConsumerRecord<byte[], byte[]> record = records.get(i);
            TopicPartition partition = new TopicPartition(record.topic(), record.partition());
            state.errors[i] = result.error();
            switch (result.stop()) {
                    // The transaction rolled back: the records before the failed one lost their work too and run again
                    // in the next round, which ends at the failed record (or takes its dead letter once out of
                    // attempts).
                case HANDLER_FAILED -> {
                    int failures = context.memory().failed(partition, record.offset());
                    if (failures >= settings.maxAttempts()) {
                        state.deadLetters[i] =
                                deadLetter(record, DeadLetterReason.HANDLER_FAILED, result.error(), failures);
                        limit = i + 1; // commit the records before it and its dead letter
                        continue;
                    }
                    state.status[i] = RecordStatus.RETRY;
                    state.delays[i] = settings.retryDelay(failures);
                    context.metrics().retried(partition.topic());
                }
                case UNAVAILABLE -> {
                    state.status[i] = RecordStatus.STORE_UNAVAILABLE;
                    state.storeUnavailable = true;
                }
                case COMMIT_FAILED -> {
                    state.status[i] = RecordStatus.TRANSACTION_FAILED; // nothing of it happened: all wait, then again
                    state.commitFailed = true;
                }
            }
            limit = i;
        }
        for (int i = 0; i < records.size(); i++) {
            if (i >= limit && state.status[i] == null) {
                state.status[i] = RecordStatus.NOT_STARTED;
            }
            if (state.status[i].isDone()) {
                ConsumerRecord<byte[], byte[]> record = records.get(i);
                context.memory().done(new TopicPartition(record.topic(), record.partition()), record.offset());
            }
        }
    }

    /** The dead letter of {@code record}, to its topic's dead-letter topic. */
    DeadLetter deadLetter(ConsumerRecord<?, ?> record, DeadLetterReason reason, Throwable error, int attempts) {
        return new DeadLetter(
                record, settings.deadLetterTopic(record.topic()), reason, Optional.ofNullable(error), attempts);
    }

    /**
     * The poll's outcome. The offsets listed as committed are those the transactions already committed (to Kafka or
     * the store); the runner only reports them, or copies them to Kafka for lag.
     */
    private static PollOutcome outcome(
            List<ConsumerRecord<byte[], byte[]>> records,
            RoundRecords state,
            boolean storeUnavailable,
            Duration commitFailed) {
        Map<TopicPartition, Long> rewind = new LinkedHashMap<>();
        Map<TopicPartition, Duration> retryAfter = new LinkedHashMap<>();
        Map<TopicPartition, OffsetAndMetadata> committed = new LinkedHashMap<>();
        List<RecordOutcome> outcomes = new ArrayList<>(records.size());
        for (int i = 0; i < records.size(); i++) {
            ConsumerRecord<byte[], byte[]> record = records.get(i);
            TopicPartition partition = new TopicPartition(record.topic(), record.partition());
            outcomes.add(new RecordOutcome(
                    partition,
                    record.offset(),
                    state.status[i],
                    Optional.ofNullable(state.deadLetters[i]).map(DeadLetter::reason),
                    Optional.ofNullable(state.errors[i])));
            if (rewind.containsKey(partition)) {
                continue;
            }
            if (state.status[i].isDone()) {
                committed.put(partition, new OffsetAndMetadata(record.offset() + 1));
            } else {
                rewind.put(partition, record.offset());
                Duration delay = state.delays[i] != null ? state.delays[i] : commitFailed;
                if (delay != null) {
                    retryAfter.put(partition, delay);
                }
            }
        }
        return new PollOutcome(committed, rewind, retryAfter, storeUnavailable, outcomes);
    }
}
