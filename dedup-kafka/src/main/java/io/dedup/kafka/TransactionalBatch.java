package io.dedup.kafka;

import io.dedup.Claim;
import io.dedup.DedupStoreUnavailableException;
import io.dedup.IdempotencyConflictException;
import io.dedup.spi.ClaimRequest;
import io.dedup.spi.ClaimResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One poll's records through a transaction that holds the handlers' effects and the consumed offsets together (a
 * Kafka transaction, or a store transaction). A transaction cannot keep some records' effects and drop others', so
 * when a record cannot be finished (its handler failed, its key is in progress elsewhere, its partition is being
 * revoked) the transaction is rolled back and the records before it are run again in a new one: the batch is cut
 * at that record, and everything from it on is rewound and comes again with the next poll.
 *
 * <p>Not thread-safe: one batch at a time, on the runner's handler thread.
 */
final class TransactionalBatch {
    private static final Logger LOG = LoggerFactory.getLogger(TransactionalBatch.class);

    /** One attempt at the batch, in one transaction. */
    interface Attempt {
        /** Claims within (or next to) the transaction. */
        List<ClaimResult> claimAll(List<ClaimRequest> requests);

        /** Runs the application's handler for a record whose key was acquired. */
        void handle(ConsumerRecord<byte[], byte[]> record, Claim claim) throws Exception;

        /** Adds a dead letter to the transaction (or to what must be published before it commits). */
        void deadLetter(DeadLetter deadLetter) throws Exception;

        /**
         * Commits the effects, the next offsets per partition and the completion of the acquired claims.
         *
         * @throws Exception if the commit failed; the attempt is then aborted
         */
        void commit(Map<TopicPartition, Long> nextOffsets, List<Claim> acquired) throws Exception;

        /** Rolls everything back and gives the acquired claims back. Never throws. */
        void abort(List<Claim> acquired);
    }

    /** Starts attempts; a mode's link to its transactions. */
    interface Transactions {
        Attempt begin();

        /** Whether {@code failure} of a commit means this instance must stop (e.g. a fenced producer). */
        boolean fatal(Throwable failure);
    }

    /** Why an attempt stopped before its end. */
    private enum Cut {
        HANDLER_FAILED,
        DEFERRED,
        NOT_STARTED,
        UNAVAILABLE,
        COMMIT_FAILED
    }

    private record Stop(int index, Cut cut, Throwable error) {}

    private final KafkaDedup dedup;
    private final KafkaDedupSettings settings;
    private final Transactions transactions;

    TransactionalBatch(KafkaDedup dedup, Transactions transactions) {
        this.dedup = dedup;
        this.settings = dedup.settings;
        this.transactions = transactions;
    }

    /**
     * @param inspect finds bad input (null when fine); may remember the deserialized form for {@code handle}
     */
    PollOutcome process(
            List<ConsumerRecord<byte[], byte[]>> records,
            java.util.function.Function<ConsumerRecord<?, ?>, LeasedBatch.BadInput> inspect,
            Predicate<TopicPartition> startable) {
        int n = records.size();
        DeadLetter[] deadLetters = new DeadLetter[n];
        for (int i = 0; i < n; i++) {
            LeasedBatch.BadInput bad = inspect.apply(records.get(i));
            if (bad != null) {
                deadLetters[i] = deadLetter(records.get(i), bad.reason(), bad.error(), 0);
            }
        }
        RecordStatus[] status = new RecordStatus[n];
        Throwable[] errors = new Throwable[n];
        Duration[] delays = new Duration[n];
        int limit = n;
        boolean storeUnavailable = false;
        Duration commitFailed = null;
        while (limit > 0) {
            Stop stop = attempt(records, deadLetters, limit, startable, status);
            if (stop == null) {
                break;
            }
            int i = stop.index();
            ConsumerRecord<byte[], byte[]> record = records.get(i);
            TopicPartition partition = new TopicPartition(record.topic(), record.partition());
            errors[i] = stop.error();
            switch (stop.cut()) {
                case HANDLER_FAILED -> {
                    int failures = dedup.memory.failed(partition, record.offset());
                    if (failures >= settings.maxAttempts()) {
                        deadLetters[i] = deadLetter(record, DeadLetterReason.HANDLER_FAILED, stop.error(), failures);
                        limit = i + 1; // commit the records before it and its dead letter
                        continue;
                    }
                    status[i] = RecordStatus.RETRY;
                    delays[i] = settings.retryDelay(failures);
                    dedup.metrics.retried(partition.topic());
                }
                case DEFERRED -> {
                    status[i] = RecordStatus.DEFERRED;
                    delays[i] = settings.deferBackoff();
                    dedup.metrics.deferred(partition.topic());
                }
                case NOT_STARTED -> status[i] = RecordStatus.NOT_STARTED;
                case UNAVAILABLE -> {
                    status[i] = RecordStatus.STORE_UNAVAILABLE;
                    storeUnavailable = true;
                }
                case COMMIT_FAILED -> {
                    // nothing of this attempt happened: every partition waits, then the batch comes again
                    status[i] = RecordStatus.TRANSACTION_FAILED;
                    commitFailed = settings.retryBackoff().isZero() ? Duration.ofMillis(100) : settings.retryBackoff();
                }
            }
            limit = i;
        }
        for (int i = limit; i < n; i++) {
            if (status[i] == null) {
                status[i] = RecordStatus.NOT_STARTED;
            }
        }
        for (int i = 0; i < limit; i++) {
            ConsumerRecord<byte[], byte[]> record = records.get(i);
            dedup.memory.done(new TopicPartition(record.topic(), record.partition()), record.offset());
        }
        return outcome(records, status, errors, delays, deadLetters, storeUnavailable, commitFailed);
    }

    /** Runs records [0, limit) in one transaction; null when it committed, else where and why it stopped. */
    private Stop attempt(
            List<ConsumerRecord<byte[], byte[]>> records,
            DeadLetter[] deadLetters,
            int limit,
            Predicate<TopicPartition> startable,
            RecordStatus[] status) {
        Attempt attempt;
        try {
            attempt = transactions.begin();
        } catch (DedupStoreUnavailableException e) {
            return new Stop(0, Cut.UNAVAILABLE, e);
        }
        List<Claim> acquired = new ArrayList<>();
        try {
            List<ConsumerRecord<byte[], byte[]>> toClaim = new ArrayList<>();
            List<Integer> claimIndex = new ArrayList<>();
            for (int i = 0; i < limit; i++) {
                if (deadLetters[i] == null) {
                    toClaim.add(records.get(i));
                    claimIndex.add(i);
                }
            }
            ClaimRound.Entry[] entries = new ClaimRound.Entry[limit];
            List<ClaimRound.Entry> claimed;
            try {
                claimed = ClaimRound.claim(dedup, toClaim, attempt::claimAll);
                for (int k = 0; k < claimed.size(); k++) {
                    entries[claimIndex.get(k)] = claimed.get(k);
                }
            } catch (DedupStoreUnavailableException e) {
                attempt.abort(acquired);
                return new Stop(0, Cut.UNAVAILABLE, e);
            }
            for (ClaimRound.Entry entry : entries) {
                if (entry != null && entry.kind == ClaimRound.Kind.ACQUIRED) {
                    acquired.add(entry.claim);
                }
            }
            Map<TopicPartition, Long> next = new LinkedHashMap<>();
            RecordStatus[] done = new RecordStatus[limit];
            for (int i = 0; i < limit; i++) {
                ConsumerRecord<byte[], byte[]> record = records.get(i);
                TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                if (!startable.test(partition)) {
                    attempt.abort(acquired);
                    return new Stop(i, Cut.NOT_STARTED, null);
                }
                ClaimRound.Entry entry = entries[i];
                if (entry != null && entry.kind == ClaimRound.Kind.REPEAT) {
                    ClaimRound.Entry first = claimed.get(entry.firstIndex); // indexes the claimed records
                    entry = first.kind == ClaimRound.Kind.ACQUIRED ? null : first; // same transaction: a duplicate
                    if (entry == null) {
                        done[i] = RecordStatus.DUPLICATE;
                    }
                }
                if (done[i] == null) {
                    Stop stop = step(attempt, record, i, deadLetters, entry, done);
                    if (stop != null) {
                        attempt.abort(acquired);
                        return stop;
                    }
                }
                next.put(partition, record.offset() + 1);
            }
            try {
                attempt.commit(next, acquired);
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                if (transactions.fatal(e)) {
                    throw e instanceof RuntimeException r ? r : new IllegalStateException(e); // aborted below
                }
                attempt.abort(acquired);
                LOG.warn(
                        "could not commit a transaction of {} records; retrying after a back-off: {}",
                        limit,
                        e.toString());
                return new Stop(
                        0, e instanceof DedupStoreUnavailableException ? Cut.UNAVAILABLE : Cut.COMMIT_FAILED, e);
            }
            System.arraycopy(done, 0, status, 0, limit);
            for (int i = 0; i < limit; i++) {
                if (deadLetters[i] != null) {
                    dedup.metrics.deadLettered(records.get(i).topic(), deadLetters[i].reason());
                }
            }
            return null;
        } catch (RuntimeException e) {
            attempt.abort(acquired);
            throw e;
        }
    }

    /** One record within an attempt; null when it is done within the transaction. */
    private Stop step(
            Attempt attempt,
            ConsumerRecord<byte[], byte[]> record,
            int i,
            DeadLetter[] deadLetters,
            ClaimRound.Entry entry,
            RecordStatus[] done) {
        if (entry != null) {
            switch (entry.kind) {
                case ACQUIRED -> {
                    try {
                        attempt.handle(record, entry.claim);
                        done[i] = RecordStatus.PROCESSED;
                        return null;
                    } catch (Exception e) {
                        if (e instanceof InterruptedException) {
                            Thread.currentThread().interrupt();
                        }
                        if (transactions.fatal(e)) {
                            throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
                        }
                        if (e instanceof TransactionFailedException) {
                            return new Stop(i, Cut.COMMIT_FAILED, e.getCause());
                        }
                        return new Stop(i, Cut.HANDLER_FAILED, e);
                    }
                }
                case DUPLICATE -> {
                    done[i] = RecordStatus.DUPLICATE;
                    return null;
                }
                case IN_PROGRESS -> {
                    return new Stop(i, Cut.DEFERRED, null);
                }
                case UNAVAILABLE -> {
                    return new Stop(i, Cut.UNAVAILABLE, entry.error);
                }
                case CONFLICT -> deadLetters[i] = deadLetter(
                        record, DeadLetterReason.KEY_CONFLICT, new IdempotencyConflictException(entry.key), 0);
                case REJECTED -> deadLetters[i] = deadLetter(
                        record, LeasedBatch.reasonFor((io.dedup.DedupException) entry.error), entry.error, 0);
                case REPEAT -> throw new IllegalStateException("a repeat is resolved by its first occurrence");
            }
        }
        try {
            attempt.deadLetter(deadLetters[i]);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            if (transactions.fatal(e)) {
                throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
            }
            return new Stop(i, Cut.COMMIT_FAILED, e);
        }
        done[i] = RecordStatus.DEAD_LETTERED;
        return null;
    }

    private DeadLetter deadLetter(ConsumerRecord<?, ?> record, DeadLetterReason reason, Throwable error, int attempts) {
        return new DeadLetter(
                record, settings.deadLetterTopic(record.topic()), reason, Optional.ofNullable(error), attempts);
    }

    private static PollOutcome outcome(
            List<ConsumerRecord<byte[], byte[]>> records,
            RecordStatus[] status,
            Throwable[] errors,
            Duration[] delays,
            DeadLetter[] deadLetters,
            boolean storeUnavailable,
            Duration commitFailed) {
        Map<TopicPartition, Long> rewind = new LinkedHashMap<>();
        Map<TopicPartition, Duration> retryAfter = new LinkedHashMap<>();
        Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> committed = new LinkedHashMap<>();
        List<RecordOutcome> outcomes = new ArrayList<>(records.size());
        for (int i = 0; i < records.size(); i++) {
            ConsumerRecord<byte[], byte[]> record = records.get(i);
            TopicPartition partition = new TopicPartition(record.topic(), record.partition());
            outcomes.add(new RecordOutcome(
                    partition,
                    record.offset(),
                    status[i],
                    Optional.ofNullable(deadLetters[i]).map(DeadLetter::reason),
                    Optional.ofNullable(errors[i])));
            if (rewind.containsKey(partition)) {
                continue;
            }
            if (status[i].isDone()) {
                committed.put(partition, new org.apache.kafka.clients.consumer.OffsetAndMetadata(record.offset() + 1));
            } else {
                rewind.put(partition, record.offset());
                Duration delay = delays[i] != null ? delays[i] : commitFailed;
                if (delay != null) {
                    retryAfter.put(partition, delay);
                }
            }
        }
        return new PollOutcome(committed, rewind, retryAfter, storeUnavailable, outcomes);
    }

    /** The transaction itself failed (not the handler): the attempt is retried after a back-off. */
    static final class TransactionFailedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TransactionFailedException(Throwable cause) {
            super(cause.getMessage(), cause);
        }
    }
}
