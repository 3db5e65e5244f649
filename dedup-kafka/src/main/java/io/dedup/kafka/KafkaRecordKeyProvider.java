package io.dedup.kafka;

import io.dedup.KeyExtractor;
import io.dedup.spi.DefaultKeyExtractorProvider;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Tells core that a Kafka {@link ConsumerRecord}'s key is its {@value RecordKeys#DEFAULT_HEADER} header, so that
 * {@code DedupConsumer.wrap(handler)} works for record handlers without configuration. Registered as a service;
 * applications do not use it directly. Thread-safe.
 */
public final class KafkaRecordKeyProvider implements DefaultKeyExtractorProvider {
    private static final KeyExtractor<ConsumerRecord<?, ?>> HEADER = RecordKeys.header();

    /** For the service loader. */
    public KafkaRecordKeyProvider() {}

    @Override
    public Optional<KeyExtractor<Object>> forMessageType(Class<?> messageType) {
        if (!ConsumerRecord.class.isAssignableFrom(messageType)) {
            return Optional.empty();
        }
        // The extractor itself, not a lambda over extract(): that would turn binary headers into text.
        return Optional.of(KeyExtractor.ofRaw(message -> HEADER.extractRaw((ConsumerRecord<?, ?>) message)));
    }
}
