package io.dedup.kafka.internal;

import io.dedup.Claim;
import io.dedup.ClaimedBatch;
import io.dedup.DedupConsumer;
import io.dedup.kafka.DeadLetter;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * One transaction of a transactional mode (a Kafka producer's, or the store's): what {@link TransactionRound} needs
 * of it. Not thread-safe: one round, one thread.
 */
interface TransactionAttempt extends AutoCloseable {
    /** Claims the records' keys as a batch of core's whose work commits with this transaction. */
    ClaimedBatch<ConsumerRecord<?, ?>> claim(
            DedupConsumer<ConsumerRecord<?, ?>> consumer, List<ConsumerRecord<?, ?>> records);

    /**
     * Runs the application's handler for a record whose key was acquired.
     *
     * @throws TransactionFailedException if the transaction itself failed (not the handler)
     */
    void handle(ConsumerRecord<byte[], byte[]> record, Claim claim) throws Exception;

    /** Adds a dead letter to the transaction (or to what must be published before it commits). */
    void deadLetter(DeadLetter deadLetter) throws Exception;

    /**
     * Commits through {@code batch}: the effects, the next offsets per partition and the completions.
     *
     * @throws Exception if the commit failed; nothing of the transaction is then kept
     */
    void commit(ClaimedBatch<ConsumerRecord<?, ?>> batch, Map<TopicPartition, Long> nextOffsets) throws Exception;

    /** Rolls back what did not commit and frees the transaction's resources. Never throws. */
    @Override
    void close();
}
