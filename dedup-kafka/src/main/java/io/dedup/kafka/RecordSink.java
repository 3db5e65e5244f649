package io.dedup.kafka;

import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Where a {@link ProducingHandler} sends its output records: into the runner's Kafka transaction, which commits
 * them together with the consumed offsets, or not at all. Used only by the handler thread, during the call.
 *
 * <p>Not thread-safe: confined to the handler's thread for the duration of one call.
 */
@FunctionalInterface
public interface RecordSink<K, V> {
    /**
     * Adds {@code record} to the current transaction. Errors of the send surface when the transaction commits: it
     * is then aborted and the batch retried.
     */
    void send(ProducerRecord<K, V> record);
}
