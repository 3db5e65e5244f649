package io.dedup.kafka.internal;

import io.dedup.Claim;
import io.dedup.ClaimedBatch;
import io.dedup.DedupConsumer;
import io.dedup.kafka.DeadLetter;
import io.dedup.kafka.PollOutcome;
import io.dedup.kafka.ProducingHandler;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
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
 * that key arriving later from upstream and after the lease would run the handler again (core writes such a
 * completion in the background as soon as the store answers). The claims are a batch of core's ({@link
 * DedupConsumer#claimAllForCommit}), whose leases core renews while the transaction runs; if one is taken over all
 * the same, the transaction is aborted rather than committed for a key another worker holds.
 *
 * <p>Not thread-safe: one batch at a time, on the runner's handler thread (Kafka producers' transactions are
 * single-threaded anyway). A fenced producer, or a commit whose outcome stays unknown, is fatal: the runner stops.
 */
public final class KafkaTransactionMode<K, V, OK, OV> implements BatchMode, TransactionalBatch.Transactions {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaTransactionMode.class);
    private static final int COMMIT_TRIES = 3;

    private final Deserializer<K> keys;
    private final Deserializer<V> values;
    private final Serializer<OK> outKeys;
    private final Serializer<OV> outValues;
    private final ProducingHandler<K, V, OK, OV> handler;
    private final Producer<byte[], byte[]> producer;
    private final TransactionalBatch batch;
    private RecordDecoder<K, V> decoder;
    private ConsumerGroupMetadata group;

    public KafkaTransactionMode(
            KafkaDedupContext context,
            Deserializer<K> keys,
            Deserializer<V> values,
            Serializer<OK> outKeys,
            Serializer<OV> outValues,
            ProducingHandler<K, V, OK, OV> handler,
            Producer<byte[], byte[]> producer) {
        this.keys = keys;
        this.values = values;
        this.outKeys = outKeys;
        this.outValues = outValues;
        this.handler = handler;
        this.producer = producer;
        this.batch = new TransactionalBatch(context, this);
        producer.initTransactions(); // fences an earlier instance with the same transactional.id
    }

    @Override
    public PollOutcome process(
            List<ConsumerRecord<byte[], byte[]>> records,
            Predicate<TopicPartition> startable,
            ConsumerGroupMetadata group) {
        this.group = group; // the generation the offsets are committed with: a zombie's commit is then refused
        this.decoder = new RecordDecoder<>(keys, values);
        return batch.process(records, decoder::inspect, startable);
    }

    /** The offsets commit inside the Kafka transaction, with the output: the runner commits none itself. */
    @Override
    public Commits commits() {
        return Commits.MODE;
    }

    /**
     * Whether {@code failure}, or a cause of it, leaves the producer unusable (Kafka wraps the fatal ones). Fenced:
     * a newer instance with our {@code transactional.id} (or group instance id) took over, and whatever this one
     * commits now would be a zombie's. Out-of-order sequence, authorization, unsupported version: the producer cannot
     * go on. An unknown commit outcome: the keys may be neither completed (the output may not have committed) nor
     * released (it may have), so this instance stops and their leases run out.
     */
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

    /** A new attempt; the Kafka transaction itself begins lazily, with the first output or dead letter. */
    @Override
    public TransactionAttempt begin() {
        return new Attempt();
    }

    /** Closes the producer, on shutdown after the last batch ended: its transaction committed or was aborted. */
    @Override
    public void close() {
        producer.close();
    }

    /**
     * One Kafka transaction. It begins only when something is sent, so a round in which nothing ran (every record a
     * duplicate, say) costs no transaction. Closing it without a commit aborts it.
     */
    private final class Attempt implements TransactionAttempt {
        private boolean begun;
        private boolean finished;

        /**
         * Begins the Kafka transaction if it has not begun yet. A producer that cannot begin one is either fenced
         * (fatal, rethrown as is) or failed for now (the round is retried).
         */
        private void ensureBegun() {
            if (!begun) {
                try {
                    producer.beginTransaction();
                } catch (KafkaException e) {
                    if (fatal(e)) {
                        throw e;
                    }
                    throw new TransactionFailedException(e);
                }
                begun = true;
            }
        }

        /** Claims for a commit elsewhere: core renews the leases until the batch commits or closes, writes nothing yet. */
        @Override
        public ClaimedBatch<ConsumerRecord<?, ?>> claim(
                DedupConsumer<ConsumerRecord<?, ?>> consumer, List<ConsumerRecord<?, ?>> records) {
            return consumer.claimAllForCommit(records); // core renews the leases until the batch commits or closes
        }

        /** Runs the handler with a sink that sends into the open Kafka transaction. */
        @Override
        public void handle(ConsumerRecord<byte[], byte[]> record, Claim claim) throws Exception {
            ensureBegun();
            ConsumerRecord<K, V> typed = decoder.typed(record);
            // a fenced producer throws from send: the round stops the runner rather than blame the handler
            handler.handle(typed, out -> producer.send(serialize(out)));
        }

        /** The handler's output as bytes, headers included: the producer is a byte-array one shared by all modes. */
        private ProducerRecord<byte[], byte[]> serialize(ProducerRecord<OK, OV> out) {
            byte[] key = outKeys.serialize(out.topic(), out.headers(), out.key());
            byte[] value = outValues.serialize(out.topic(), out.headers(), out.value());
            return new ProducerRecord<>(out.topic(), out.partition(), out.timestamp(), key, value, out.headers());
        }

        /** Sent inside the transaction: the dead letter commits with the offset that moves past its record. */
        @Override
        @SuppressWarnings("unchecked")
        public void deadLetter(DeadLetter deadLetter) {
            ensureBegun();
            ProducerRecord<?, ?> record = DeadLetterRecords.of(deadLetter);
            producer.send((ProducerRecord<byte[], byte[]>) record);
        }

        /**
         * Core checks that no finished record lost its lease (another worker took it over: its holder produces, we
         * must not), then the output and offsets commit, then core records the completions.
         */
        @Override
        public void commit(ClaimedBatch<ConsumerRecord<?, ?>> batch, Map<TopicPartition, Long> nextOffsets)
                throws Exception {
            batch.commit(() -> {
                if (!begun && nextOffsets.isEmpty()) {
                    return; // nothing ran and nothing moves: only the keys not started are given back
                }
                ensureBegun();
                if (!nextOffsets.isEmpty()) {
                    Map<TopicPartition, OffsetAndMetadata> offsets = new LinkedHashMap<>();
                    nextOffsets.forEach((partition, next) -> offsets.put(partition, new OffsetAndMetadata(next)));
                    producer.sendOffsetsToTransaction(offsets, group);
                }
                commitTransaction(batch);
            });
        }

        /**
         * Commits, retrying a timeout: a timed-out commit may still complete, and Kafka lets the same commit be
         * retried. After the last try the outcome is unknown, so the runner stops rather than guess.
         */
        private void commitTransaction(ClaimedBatch<ConsumerRecord<?, ?>> batch) {
            for (int tryNo = 1; ; tryNo++) {
                try {
                    producer.commitTransaction();
                    finished = true;
                    return;
                } catch (TimeoutException e) {
                    if (tryNo >= COMMIT_TRIES) {
                        finished = true; // not aborted: the outcome is unknown, and the runner stops
                        batch.abandon(); // neither released (it may have committed) nor completed (it may not)
                        throw new CommitOutcomeUnknownException(e);
                    }
                }
            }
        }

        /** Aborts the transaction unless it committed (or its outcome is unknown, when the runner stops anyway). */
        @Override
        public void close() {
            if (finished || !begun) {
                return;
            }
            finished = true;
            try {
                producer.abortTransaction();
            } catch (KafkaException e) {
                LOG.warn("aborting the Kafka transaction failed: {}", e.toString());
            }
        }
    }

    /**
     * The mode over a transactional producer it creates: the consumer's cluster settings ({@code fromConsumer}), the
     * user's {@code producerConfig} over them, then what the mode needs: {@code acks=all} and idempotence (required
     * for transactions), and a {@code transactional.id} made up from the namespace unless the user set one. A
     * made-up id cannot fence a crashed predecessor; a stable one set by the user does, at once.
     *
     * @throws org.apache.kafka.common.KafkaException if the producer cannot be created or initialised; it is closed
     *     again then
     */
    public static <K, V, OK, OV> KafkaTransactionMode<K, V, OK, OV> create(
            KafkaDedupContext context,
            Map<String, Object> fromConsumer,
            Map<String, Object> producerConfig,
            Deserializer<K> keys,
            Deserializer<V> values,
            Serializer<OK> outKeys,
            Serializer<OV> outValues,
            ProducingHandler<K, V, OK, OV> handler) {
        Map<String, Object> full = new HashMap<>(fromConsumer);
        full.putAll(producerConfig);
        full.put(ProducerConfig.ACKS_CONFIG, "all");
        full.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        full.putIfAbsent(
                ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                context.settings().namespace() + "-"
                        + UUID.randomUUID().toString().substring(0, 8));
        Producer<byte[], byte[]> producer =
                new KafkaProducer<>(full, new ByteArraySerializer(), new ByteArraySerializer());
        try {
            return new KafkaTransactionMode<>(context, keys, values, outKeys, outValues, handler, producer);
        } catch (RuntimeException e) {
            producer.close();
            throw e;
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
