package io.dedup.kafka.share;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The application's work for one record of a share group, in leased mode: it runs at most once at a time per key
 * and is not run again once its key completed (see {@code docs/kafka-share.md}).
 *
 * <p>Called on the runner's single handler thread, one record at a time, so it need not be thread-safe. Throwing
 * releases the record for another delivery, or dead-letters it on the last one.
 *
 * @param <K> the record key type
 * @param <V> the record value type
 */
@FunctionalInterface
public interface ShareRecordHandler<K, V> {
    /**
     * Handles one record. Returning normally records the key as processed and then accepts the record.
     *
     * @throws Exception to fail this delivery: the key is released and the record released for another delivery,
     *     or dead-lettered on its {@linkplain ShareDelivery#lastDelivery() last delivery}
     */
    void handle(ConsumerRecord<K, V> record, ShareDelivery delivery) throws Exception;
}
