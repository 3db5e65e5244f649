package io.dedup.kafka;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * A handler for the runner's Kafka-to-database mode: it writes its effects through {@code tx}, so that they commit
 * in the same database transaction as the record's key and the consumed offsets: exactly once, across crashes,
 * rebalances and duplicates. Throwing rolls the transaction back.
 *
 * <p>Called on the runner's single handler thread, one record at a time, so it need not be thread-safe; the
 * transaction it is given is valid only during the call.
 */
@FunctionalInterface
public interface TransactionalRecordHandler<K, V> {
    void handle(ConsumerRecord<K, V> record, RecordTransaction tx) throws Exception;
}
