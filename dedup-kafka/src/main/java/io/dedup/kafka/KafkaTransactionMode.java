package io.dedup.kafka;

import io.dedup.Claim;
import io.dedup.DedupStoreException;
import io.dedup.LeaseLostException;
import io.dedup.OutcomeStatus;
import io.dedup.spi.ClaimRequest;
import io.dedup.spi.ClaimResult;
import io.dedup.spi.Completion;
import io.dedup.spi.WriteResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka to Kafka: claims in the store, then the handlers' output records, the dead letters and the consumed offsets
 * in one Kafka transaction ({@code sendOffsetsToTransaction}), and only after it committed, the completions in the
 * store. Downstream consumers read with {@code isolation.level=read_committed}.
 *
 * <p>Why this order: completing in the store before the Kafka commit could lose output (a crash in between aborts
 * the output while the key counts as done). Completing after it leaves one window: a crash between the Kafka commit
 * and the completion leaves the key in progress until its lease ends; the offsets moved on, so only a duplicate of
 * that key arriving later from upstream and after the lease would run the handler again. The claims' leases are
 * renewed while the transaction runs ({@link ClaimKeeper}); if one is taken over all the same, the transaction is
 * aborted rather than committed for a key another worker holds.
 */
final class KafkaTransactionMode<K, V, OK, OV> implements BatchMode, TransactionalBatch.Transactions {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaTransactionMode.class);
    private static final byte[] EMPTY = new byte[0];
    private static final int COMMIT_TRIES = 3;

    private final KafkaDedup dedup;
    private final Deserializer<K> keys;
    private final Deserializer<V> values;
    private final Serializer<OK> outKeys;
    private final Serializer<OV> outValues;
    private final ProducingHandler<K, V, OK, OV> handler;
    private final Producer<byte[], byte[]> producer;
    private final TransactionalBatch batch;
    private final ScheduledExecutorService renewals = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "dedup-kafka-lease-renewer");
        thread.setDaemon(true);
        return thread;
    });
    private RecordDecoder<K, V> decoder;
    private ConsumerGroupMetadata group;

    KafkaTransactionMode(
            KafkaDedup dedup,
            Deserializer<K> keys,
            Deserializer<V> values,
            Serializer<OK> outKeys,
            Serializer<OV> outValues,
            ProducingHandler<K, V, OK, OV> handler,
            Producer<byte[], byte[]> producer) {
        this.dedup = dedup;
        this.keys = keys;
        this.values = values;
        this.outKeys = outKeys;
        this.outValues = outValues;
        this.handler = handler;
        this.producer = producer;
        this.batch = new TransactionalBatch(dedup, this);
        producer.initTransactions(); // fences an earlier instance with the same transactional.id
    }

    @Override
    public PollOutcome process(
            List<ConsumerRecord<byte[], byte[]>> records,
            Predicate<TopicPartition> startable,
            ConsumerGroupMetadata group) {
        this.group = group;
        this.decoder = new RecordDecoder<>(keys, values);
        return batch.process(records, decoder::inspect, startable);
    }

    @Override
    public Commits commits() {
        return Commits.MODE;
    }

    /** Whether {@code failure}, or a cause of it, leaves the producer unusable (Kafka wraps the fatal ones). */
    @Override
    public boolean fatal(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ProducerFencedException
                    || t instanceof FencedInstanceIdException
                    || t instanceof OutOfOrderSequenceException
                    || t instanceof AuthorizationException
                    || t instanceof UnsupportedVersionException
                    || t instanceof CommitOutcomeUnknownException) {
                return true;
            }
        }
        return false;
    }

    @Override
    public TransactionalBatch.Attempt begin() {
        return new Attempt();
    }

    @Override
    public void close() {
        renewals.shutdownNow();
        producer.close();
    }

    private final class Attempt implements TransactionalBatch.Attempt {
        private boolean begun;
        private boolean finished;
        private ClaimKeeper keeper;

        private void ensureBegun() {
            if (!begun) {
                try {
                    producer.beginTransaction();
                } catch (KafkaException e) {
                    if (fatal(e)) {
                        throw e;
                    }
                    throw new TransactionalBatch.TransactionFailedException(e);
                }
                begun = true;
            }
        }

        @Override
        public List<ClaimResult> claimAll(List<ClaimRequest> requests) {
            List<ClaimResult> results = dedup.store().claimAll(requests);
            List<Claim> acquired = new ArrayList<>();
            for (ClaimResult result : results) {
                if (result instanceof ClaimResult.Acquired a) {
                    acquired.add(a.claim());
                }
            }
            keeper = new ClaimKeeper(dedup.store(), dedup.settings.lease(), acquired, renewals);
            return results;
        }

        @Override
        public void handle(ConsumerRecord<byte[], byte[]> record, Claim claim) throws Exception {
            ensureBegun();
            ConsumerRecord<K, V> typed = decoder.typed(record);
            // a fenced producer throws from send: TransactionalBatch stops the runner rather than blame the handler
            handler.handle(typed, out -> producer.send(serialize(out)));
        }

        private ProducerRecord<byte[], byte[]> serialize(ProducerRecord<OK, OV> out) {
            byte[] key = outKeys.serialize(out.topic(), out.headers(), out.key());
            byte[] value = outValues.serialize(out.topic(), out.headers(), out.value());
            return new ProducerRecord<>(out.topic(), out.partition(), out.timestamp(), key, value, out.headers());
        }

        @Override
        @SuppressWarnings("unchecked")
        public void deadLetter(DeadLetter deadLetter) {
            ensureBegun();
            ProducerRecord<?, ?> record = KafkaDeadLetterPublisher.toProducerRecord(deadLetter);
            producer.send((ProducerRecord<byte[], byte[]>) record);
        }

        @Override
        public void commit(Map<TopicPartition, Long> nextOffsets, List<Claim> acquired) {
            if (keeper != null) {
                keeper.close();
                Optional<Claim> lost = keeper.lost();
                if (lost.isPresent()) {
                    // another worker took the key over while we ran: its holder produces, we must not
                    throw new LeaseLostException(lost.get().key(), lost.get().token());
                }
            }
            ensureBegun();
            Map<TopicPartition, OffsetAndMetadata> offsets = new LinkedHashMap<>();
            nextOffsets.forEach((partition, next) -> offsets.put(partition, new OffsetAndMetadata(next)));
            producer.sendOffsetsToTransaction(offsets, group);
            for (int tryNo = 1; ; tryNo++) {
                try {
                    producer.commitTransaction();
                    break;
                } catch (TimeoutException e) {
                    if (tryNo >= COMMIT_TRIES) {
                        finished = true; // neither abort nor release: the outcome is unknown
                        throw new CommitOutcomeUnknownException(e);
                    }
                }
            }
            finished = true;
            complete(acquired);
        }

        private void complete(List<Claim> acquired) {
            if (acquired.isEmpty()) {
                return;
            }
            List<Completion> completions = new ArrayList<>(acquired.size());
            for (Claim claim : acquired) {
                completions.add(new Completion(
                        claim.key(), claim.token(), OutcomeStatus.SUCCEEDED, EMPTY, dedup.settings.retention()));
            }
            for (int tryNo = 1; tryNo <= COMMIT_TRIES; tryNo++) {
                try {
                    List<WriteResult> written = dedup.store().completeAll(completions);
                    long refused = written.stream()
                            .filter(w -> w != WriteResult.APPLIED)
                            .count();
                    if (refused > 0) {
                        LOG.warn(
                                "{} completions refused after the Kafka transaction committed (leases taken over or"
                                        + " store errors); those keys are retried after their lease",
                                refused);
                    }
                    return;
                } catch (DedupStoreException e) {
                    if (tryNo == COMMIT_TRIES) {
                        LOG.warn(
                                "the Kafka transaction committed but {} completions could not be recorded; those keys"
                                        + " stay in progress until their lease ends: {}",
                                completions.size(),
                                e.toString());
                    }
                }
            }
        }

        @Override
        public void abort(List<Claim> acquired) {
            if (keeper != null) {
                keeper.close();
            }
            if (finished) {
                return;
            }
            finished = true;
            if (begun) {
                try {
                    producer.abortTransaction();
                } catch (KafkaException e) {
                    LOG.warn("aborting the Kafka transaction failed: {}", e.toString());
                }
            }
            for (Claim claim : acquired) {
                try {
                    dedup.store().release(claim.key(), claim.token(), dedup.settings.retention());
                } catch (DedupStoreException e) {
                    LOG.warn("could not release a key after an aborted transaction: {}", e.toString());
                }
            }
        }
    }

    /** The commit timed out repeatedly: whether the transaction committed is unknown, so this instance stops. */
    static final class CommitOutcomeUnknownException extends KafkaException {
        private static final long serialVersionUID = 1L;

        CommitOutcomeUnknownException(Throwable cause) {
            super(
                    "committing the Kafka transaction timed out " + COMMIT_TRIES + " times; its outcome is unknown",
                    cause);
        }
    }
}
