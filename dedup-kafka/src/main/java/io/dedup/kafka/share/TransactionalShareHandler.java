package io.dedup.kafka.share;

import io.dedup.spi.StoreTransaction;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The application's work for one record of a share group, in transactional mode: its writes go through {@code
 * transaction} (for the JDBC store, {@code transaction.resource(java.sql.Connection.class)}) and commit together
 * with the key's completion, so each key's effect is applied once even when two consumers hold the same record.
 *
 * <p>Called on the runner's single handler thread, so it need not be thread-safe; the transaction is valid only
 * during the call, and throwing rolls it back.
 *
 * @param <K> the record key type
 * @param <V> the record value type
 */
@FunctionalInterface
public interface TransactionalShareHandler<K, V> {
    /**
     * Handles one record within the poll's store transaction. The handler must not commit, roll back or close the
     * transaction or its resources.
     *
     * @throws Exception to fail this delivery (the record is released, or dead-lettered on its last delivery)
     */
    void handle(ConsumerRecord<K, V> record, ShareDelivery delivery, StoreTransaction transaction) throws Exception;
}
