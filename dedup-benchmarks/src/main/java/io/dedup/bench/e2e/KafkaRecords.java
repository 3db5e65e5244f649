package io.dedup.bench.e2e;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * Reading the idempotency key that {@link TopicLoader} put on each record: the same header every arm keys on, so
 * the baselines' handler sees the same keys as the dedup arms' and the handler counts compare. Stateless;
 * thread-safe.
 */
final class KafkaRecords {
    private KafkaRecords() {}

    /**
     * The record's {@value TopicLoader#KEY_HEADER} header as a string.
     *
     * @throws IllegalStateException if the record has none (not one of the harness's records)
     */
    static String key(ConsumerRecord<?, ?> record) {
        Header header = record.headers().lastHeader(TopicLoader.KEY_HEADER);
        if (header == null) {
            throw new IllegalStateException("record without " + TopicLoader.KEY_HEADER + " header at " + record.topic()
                    + "-" + record.partition() + "@" + record.offset());
        }
        return new String(header.value(), StandardCharsets.UTF_8);
    }
}
