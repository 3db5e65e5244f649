package io.dedup.kafka.internal;

import io.dedup.ClaimedBatch;
import io.dedup.DeadLetterReason;
import io.dedup.DedupConsumer;
import io.dedup.DedupResult;
import io.dedup.DedupStoreUnavailableException;
import io.dedup.IdempotencyConflictException;
import io.dedup.OutcomeCodecs;
import io.dedup.kafka.RecordStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One transaction over the first records of one topic's part of a poll: claim them as one batch, run them in offset
 * order per partition, commit what ran. A record that may not start (partition revoked or the runner closing, or an
 * earlier record of its partition waits for its key) is skipped, so its key is given back when the rest commits.
 *
 * <p>Not thread-safe: one round, one thread.
 */
final class TransactionRound {
    private static final Logger LOG = LoggerFactory.getLogger(TransactionRound.class);

    /** Why a round stopped without committing. */
    enum Stop {
        /** A handler failed (or threw an Error): its writes are in the transaction, which must roll back. */
        HANDLER_FAILED,
        /** The store could not be reached. */
        UNAVAILABLE,
        /** The transaction itself could not begin, take a dead letter, or commit. */
        COMMIT_FAILED
    }

    /**
     * Where and why a round stopped.
     *
     * @param index the position of the record the round stopped at (0 when the transaction itself failed)
     * @param stop why
     * @param error what stopped it
     */
    record Result(int index, Stop stop, Throwable error) {}

    /** Makes the dead letters a claim result calls for, with the batch's dead-letter topics. */
    private final TransactionalBatch owner;

    private final KafkaDedupContext context;
    private final DedupConsumer<ConsumerRecord<?, ?>> consumer;
    private final List<ConsumerRecord<byte[], byte[]>> records;
    /** The topic's records' state: dead letters owed are read from it, and what committed is written back. */
    private final RoundRecords state;

    private final Predicate<TopicPartition> startable;
    private final TransactionalBatch.Transactions transactions;

    TransactionRound(
            TransactionalBatch owner,
            KafkaDedupContext context,
            DedupConsumer<ConsumerRecord<?, ?>> consumer,
            List<ConsumerRecord<byte[], byte[]>> records,
            RoundRecords state,
            Predicate<TopicPartition> startable,
            TransactionalBatch.Transactions transactions) {
        this.owner = owner;
        this.context = context;
        this.consumer = consumer;
        this.records = records;
        this.state = state;
        this.startable = startable;
        this.transactions = transactions;
    }

    /** Runs records [0, limit) in one transaction; null when it committed, else where and why it stopped. */
    Result run(int limit) {
        TransactionAttempt attempt;
        try {
            attempt = transactions.begin();
        } catch (DedupStoreUnavailableException e) {
            return new Result(0, Stop.UNAVAILABLE, e);
        } catch (TransactionFailedException e) {
            return new Result(0, Stop.COMMIT_FAILED, e.getCause());
        }
        // Records owing a dead letter (bad input, or a handler out of attempts) are not claimed: their dead letter goes
        // into the transaction instead, so that it commits together with the offset that moves past them.
        List<ConsumerRecord<?, ?>> toClaim = new ArrayList<>(limit);
        int[] recordOf = new int[limit]; // batch entry -> record position
        int[] entryOf = new int[limit]; // record position -> batch entry, -1 for a dead letter
        for (int i = 0; i < limit; i++) {
            entryOf[i] = -1;
            if (state.deadLetters[i] == null) {
                recordOf[toClaim.size()] = i;
                entryOf[i] = toClaim.size();
                toClaim.add(records.get(i));
            }
        }
        try (attempt;
                ClaimedBatch<ConsumerRecord<?, ?>> batch = attempt.claim(consumer, toClaim)) {
            RecordStatus[] done = new RecordStatus[limit];
            Duration[] delays = new Duration[limit];
            Map<TopicPartition, Long> next = new LinkedHashMap<>();
            Set<TopicPartition> waiting = new HashSet<>();
            for (int i = 0; i < limit; i++) {
                ConsumerRecord<byte[], byte[]> record = records.get(i);
                TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                ClaimedBatch.Entry<ConsumerRecord<?, ?>> entry =
                        entryOf[i] < 0 ? null : batch.entries().get(entryOf[i]);
                // Offset order per partition: once a record of a partition waits, the later ones may not run in this
                // transaction, or the committed offset would have to skip the waiting one.
                if (waiting.contains(partition) || !startable.test(partition)) {
                    if (entry != null) {
                        batch.skip(entry); // given back unstarted when the rest commits
                    }
                    waiting.add(partition);
                    continue;
                }
                Result stop = step(attempt, batch, entry, i, done, delays, recordOf);
                if (stop != null) {
                    return stop; // closing the batch and the attempt rolls back and gives every key back
                }
                // the next offset moves only over a contiguous run of done records, so the store's position never
                // passes a
                // record that still has to run
                if (done[i] != null && done[i].isDone()) {
                    next.put(partition, record.offset() + 1);
                } else {
                    waiting.add(partition);
                }
            }
            try {
                attempt.commit(batch, next);
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                if (transactions.fatal(e)) {
                    throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
                }
                LOG.warn(
                        "could not commit a transaction of {} records; retrying after a back-off: {}",
                        limit,
                        e.toString());
                return new Result(
                        0, e instanceof DedupStoreUnavailableException ? Stop.UNAVAILABLE : Stop.COMMIT_FAILED, e);
            }
            // Only now, after the commit, is the state written back: a round that rolled back leaves no trace, and
            // the batch retries its records in a new transaction.
            for (int i = 0; i < limit; i++) {
                state.status[i] = done[i] != null ? done[i] : RecordStatus.NOT_STARTED;
                state.delays[i] = delays[i];
                if (done[i] == RecordStatus.DEAD_LETTERED) {
                    context.metrics().deadLettered(records.get(i).topic(), state.deadLetters[i].reason());
                }
            }
            return null;
        }
    }

    /** One record within the round; null when it is settled within the transaction (done, or waiting). */
    private Result step(
            TransactionAttempt attempt,
            ClaimedBatch<ConsumerRecord<?, ?>> batch,
            ClaimedBatch.Entry<ConsumerRecord<?, ?>> entry,
            int i,
            RecordStatus[] done,
            Duration[] delays,
            int[] recordOf) {
        ConsumerRecord<byte[], byte[]> record = records.get(i);
        if (entry == null) {
            return deadLetter(attempt, i, done);
        }
        DedupResult<?> claimed = entry.result();
        // Unlike the leased mode, an unavailable store is never answered "unguarded" here: the handler's writes go
        // through the store's transaction, which cannot commit without it.
        if (claimed instanceof DedupResult.Unavailable<?> unavailable) {
            return new Result(i, Stop.UNAVAILABLE, unavailable.cause()); // never unguarded inside a transaction
        }
        if (entry.mayRun()) {
            return run(attempt, batch, entry, i, done, delays);
        }
        if (claimed == null && entry.repeatOf().isEmpty()) { // its lease was taken over while it waited its turn
            deferred(i, null, done, delays);
            return null;
        }
        if (claimed == null) { // a repeat: a duplicate of its first if that one is done in this transaction
            RecordStatus first = done[recordOf[entry.repeatOf().orElseThrow()]];
            if (first == RecordStatus.PROCESSED || first == RecordStatus.DUPLICATE) {
                done[i] = RecordStatus.DUPLICATE;
            }
            return null;
        }
        if (claimed instanceof DedupResult.Duplicate<?>) {
            done[i] = RecordStatus.DUPLICATE;
        } else if (claimed instanceof DedupResult.InProgress<?> inProgress) {
            deferred(i, inProgress.leaseUntil(), done, delays);
        } else if (claimed instanceof DedupResult.Fenced<?>) {
            deferred(i, null, done, delays);
        } else if (claimed instanceof DedupResult.Conflict<?> conflict) {
            state.deadLetters[i] = owner.deadLetter(
                    record, DeadLetterReason.KEY_CONFLICT, new IdempotencyConflictException(conflict.key()), 0);
            return deadLetter(attempt, i, done);
        } else if (claimed instanceof DedupResult.Rejected<?> rejected) {
            state.deadLetters[i] =
                    owner.deadLetter(record, DeadLetterReason.forRejection(rejected.reason()), rejected.reason(), 0);
            return deadLetter(attempt, i, done);
        }
        return null;
    }

    /**
     * Runs the handler of a record whose key was acquired, within the transaction. Core's run records nothing yet:
     * the completion commits with the transaction ({@link TransactionAttempt#commit}).
     *
     * @throws RuntimeException a failure the mode calls fatal (a fenced producer): the runner stops
     */
    private Result run(
            TransactionAttempt attempt,
            ClaimedBatch<ConsumerRecord<?, ?>> batch,
            ClaimedBatch.Entry<ConsumerRecord<?, ?>> entry,
            int i,
            RecordStatus[] done,
            Duration[] delays) {
        ConsumerRecord<byte[], byte[]> record = records.get(i);
        DedupResult<Void> result;
        try {
            result = batch.run(
                    entry,
                    message -> {
                        attempt.handle(record, entry.claim().orElseThrow());
                        return null;
                    },
                    OutcomeCodecs.none(),
                    false);
        } catch (Error error) {
            LOG.error(
                    "the handler of {} threw {}; its transaction is rolled back and the record retried or"
                            + " dead-lettered",
                    TopicConsumers.describe(record),
                    error.toString(),
                    error);
            return new Result(i, Stop.HANDLER_FAILED, error);
        }
        if (result == null) {
            done[i] = RecordStatus.PROCESSED;
            return null;
        }
        if (result instanceof DedupResult.Failed<?> failed) {
            Exception error = failed.error();
            if (transactions.fatal(error)) {
                throw error instanceof RuntimeException r ? r : new IllegalStateException(error);
            }
            if (error instanceof TransactionFailedException) {
                return new Result(i, Stop.COMMIT_FAILED, error.getCause());
            }
            return new Result(i, Stop.HANDLER_FAILED, error);
        }
        deferred(i, null, done, delays); // fenced: its lease was taken over while it waited its turn
        return null;
    }

    /** Adds the record's dead letter to the transaction; a failure to do so stops the round like a failed commit. */
    private Result deadLetter(TransactionAttempt attempt, int i, RecordStatus[] done) {
        try {
            attempt.deadLetter(state.deadLetters[i]);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            if (transactions.fatal(e)) {
                throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
            }
            return new Result(i, Stop.COMMIT_FAILED, e);
        }
        done[i] = RecordStatus.DEAD_LETTERED;
        return null;
    }

    /**
     * The record's key is held elsewhere: it waits, and is retried after the defer back-off, or sooner when the
     * holder's lease ends ({@code leaseUntil}, when the store said).
     */
    private void deferred(int i, Instant leaseUntil, RecordStatus[] done, Duration[] delays) {
        ConsumerRecord<byte[], byte[]> record = records.get(i);
        TopicPartition partition = new TopicPartition(record.topic(), record.partition());
        done[i] = RecordStatus.DEFERRED;
        int deferrals = context.memory().deferred(partition, record.offset());
        delays[i] = context.settings().deferDelay(deferrals, leaseUntil, Instant.now());
        context.metrics().deferred(partition.topic());
    }
}
