package io.dedup.kafka;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * A consume-transform-produce handler for the runner's transactional-producer mode: it reads one record and sends
 * what it produces to {@code out}. Its output and the consumed offset commit in one Kafka transaction.
 *
 * <p>Called on the runner's single handler thread, one record at a time, so it need not be thread-safe. Throwing
 * aborts the transaction: nothing it sent is seen by {@code read_committed} consumers, and the record is retried or
 * dead-lettered.
 *
 * @param <K> the consumed key type
 * @param <V> the consumed value type
 * @param <OK> the produced key type
 * @param <OV> the produced value type
 */
@FunctionalInterface
public interface ProducingHandler<K, V, OK, OV> {
    void handle(ConsumerRecord<K, V> record, RecordSink<OK, OV> out) throws Exception;
}
