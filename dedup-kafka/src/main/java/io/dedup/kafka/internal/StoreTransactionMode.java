package io.dedup.kafka.internal;

import io.dedup.Claim;
import io.dedup.ClaimedBatch;
import io.dedup.DedupConfigurationException;
import io.dedup.DedupConsumer;
import io.dedup.DedupStoreException;
import io.dedup.kafka.DeadLetter;
import io.dedup.kafka.PollOutcome;
import io.dedup.kafka.RecordTransaction;
import io.dedup.kafka.TransactionalRecordHandler;
import io.dedup.spi.Position;
import io.dedup.spi.StoreTransaction;
import io.dedup.spi.TransactionalStore;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka to a database, exactly once: per poll and topic one store transaction holds the claims, the handlers'
 * writes, the completions and the consumed offsets ({@link StoreTransaction#savePositions}); on assignment the
 * consumer seeks to the offsets the store holds (the "storing offsets outside Kafka" recipe of the {@code KafkaConsumer} javadoc).
 * The offsets are also committed to Kafka afterwards, asynchronously, for lag monitoring only.
 *
 * <p>Dead letters are published (and acknowledged) before the transaction commits, so they are at least once.
 *
 * <p>Not thread-safe: one batch at a time, on the runner's handler thread.
 */
public final class StoreTransactionMode<K, V> implements BatchMode, TransactionalBatch.Transactions {
    private static final Logger LOG = LoggerFactory.getLogger(StoreTransactionMode.class);

    private final KafkaDedupSettings settings;
    private final TransactionalStore store;
    private final Deserializer<K> keys;
    private final Deserializer<V> values;
    private final TransactionalRecordHandler<K, V> handler;
    private final TransactionalBatch batch;
    private RecordDecoder<K, V> decoder;

    /** @throws DedupConfigurationException if the store has no transactions */
    public StoreTransactionMode(
            KafkaDedupContext context,
            Deserializer<K> keys,
            Deserializer<V> values,
            TransactionalRecordHandler<K, V> handler) {
        this.settings = context.settings();
        this.store = settings.store()
                .capability(TransactionalStore.class)
                .orElseThrow(
                        () -> new DedupConfigurationException(
                                "the store " + settings.store().describe()
                                        + " has no transactions; the Kafka-to-database mode needs one that has (dedup-jdbc-store)"));
        this.keys = keys;
        this.values = values;
        this.handler = handler;
        this.batch = new TransactionalBatch(context, this);
    }

    @Override
    public PollOutcome process(
            List<ConsumerRecord<byte[], byte[]>> records,
            Predicate<TopicPartition> startable,
            ConsumerGroupMetadata group) {
        decoder = new RecordDecoder<>(keys, values); // one per batch: it keeps the batch's deserialized records
        return batch.process(records, decoder::inspect, startable);
    }

    /** The store holds the real positions; Kafka's copy is only for lag monitoring. */
    @Override
    public Commits commits() {
        return Commits.STORE_THEN_RUNNER_ASYNC;
    }

    /**
     * The positions the store holds for {@code partitions}, read in one transaction. The store's positions commit
     * with the work, so they are exact; Kafka's committed offsets may lag behind them (asynchronous).
     */
    @Override
    public Map<TopicPartition, Long> startPositions(Collection<TopicPartition> partitions) {
        Map<TopicPartition, Long> positions = new HashMap<>();
        Set<String> topics = partitions.stream().map(TopicPartition::topic).collect(Collectors.toSet());
        try (StoreTransaction tx = store.begin()) {
            for (String topic : topics) {
                Map<Integer, Long> stored = tx.positions(settings.namespace(), topic);
                for (TopicPartition partition : partitions) {
                    Long next = partition.topic().equals(topic) ? stored.get(partition.partition()) : null;
                    if (next != null) {
                        positions.put(partition, next);
                    }
                }
            }
        } catch (DedupStoreException e) {
            // Safe to go on from Kafka's committed offsets (never ahead of the store's): records the store already
            // has are answered as duplicates by their claims within the transaction.
            LOG.warn(
                    "could not read stored offsets for {} partitions; starting from Kafka's committed offsets: {}",
                    partitions.size(),
                    e.toString());
        }
        return positions;
    }

    /** Nothing is fatal here: a failed store transaction rolls back and its records are retried. */
    @Override
    public boolean fatal(Throwable failure) {
        return false;
    }

    @Override
    public TransactionAttempt begin() {
        return new Attempt(store.begin());
    }

    /** One store transaction: the claims, the handlers' writes, the completions and the positions commit together. */
    private final class Attempt implements TransactionAttempt {
        private final StoreTransaction tx;
        private final List<DeadLetter> deadLetters = new ArrayList<>();

        Attempt(StoreTransaction tx) {
            this.tx = tx;
        }

        /** Claims inside the store transaction, so that the claims commit or roll back with the handlers' writes. */
        @Override
        public ClaimedBatch<ConsumerRecord<?, ?>> claim(
                DedupConsumer<ConsumerRecord<?, ?>> consumer, List<ConsumerRecord<?, ?>> records) {
            return consumer.claimAll(records, tx);
        }

        /**
         * Runs the handler with a view of the store transaction: its resources (a JDBC connection, say) and the record's
         * claim, valid for this call only.
         */
        @Override
        public void handle(ConsumerRecord<byte[], byte[]> record, Claim claim) throws Exception {
            handler.handle(decoder.typed(record), new RecordTransaction() {
                @Override
                public <T> T resource(Class<T> type) {
                    Objects.requireNonNull(type, "type");
                    return tx.resource(type)
                            .orElseThrow(() -> new IllegalStateException(
                                    "the store's transaction has no resource of type " + type.getName()));
                }

                @Override
                public Claim claim() {
                    return claim;
                }
            });
        }

        /** Collected, and published just before the commit: a dead letter cannot join a database transaction. */
        @Override
        public void deadLetter(DeadLetter deadLetter) {
            deadLetters.add(deadLetter);
        }

        /** Core completes what ran and releases what did not within the transaction, then commits it. */
        @Override
        public void commit(ClaimedBatch<ConsumerRecord<?, ?>> batch, Map<TopicPartition, Long> nextOffsets)
                throws Exception {
            batch.commit(() -> {
                if (!deadLetters.isEmpty()) {
                    settings.deadLetters().publish(deadLetters);
                }
                List<Position> positions = new ArrayList<>();
                nextOffsets.forEach((partition, next) ->
                        positions.add(new Position(partition.topic(), partition.partition(), next)));
                tx.savePositions(settings.namespace(), positions);
            });
        }

        @Override
        public void close() {
            try {
                tx.close(); // rolls back unless committed, and returns the connection
            } catch (RuntimeException e) {
                LOG.warn("closing a store transaction failed: {}", e.toString());
            }
        }
    }
}
