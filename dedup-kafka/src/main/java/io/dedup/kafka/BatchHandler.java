package io.dedup.kafka;

import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * A handler of a batch of records, the shape of applications that write in bulk. Checked exceptions are allowed
 * and pass through the wrapper of {@link KafkaDedup#wrapBatch} unchanged.
 *
 * <p>Called on the thread that calls the wrapper, once per call; it need not be thread-safe unless the wrapper is
 * called from several threads.
 */
@FunctionalInterface
public interface BatchHandler<K, V> {
    void handle(List<ConsumerRecord<K, V>> records) throws Exception;
}
