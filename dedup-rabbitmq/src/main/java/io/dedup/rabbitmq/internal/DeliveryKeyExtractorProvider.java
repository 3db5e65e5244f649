package io.dedup.rabbitmq.internal;

import com.rabbitmq.client.Delivery;
import io.dedup.KeyExtractor;
import io.dedup.rabbitmq.RabbitKeys;
import io.dedup.spi.DefaultKeyExtractorProvider;
import java.util.Optional;

/**
 * Tells core that an AMQP {@link Delivery}'s key is its {@code message-id} property by default, so that {@code
 * DedupConsumer.wrap(handler)} works for {@code MessageHandler<Delivery>} without configuration. Found through
 * {@link java.util.ServiceLoader}; applications do not use it directly. Stateless and thread-safe; the extractor
 * it returns is too.
 */
public final class DeliveryKeyExtractorProvider implements DefaultKeyExtractorProvider {
    private static final KeyExtractor<Delivery> MESSAGE_ID = RabbitKeys.messageId();

    /** For {@link java.util.ServiceLoader}. */
    public DeliveryKeyExtractorProvider() {}

    @Override
    @SuppressWarnings("unchecked")
    public Optional<KeyExtractor<Object>> forMessageType(Class<?> messageType) {
        if (!Delivery.class.isAssignableFrom(messageType)) {
            return Optional.empty();
        }
        KeyExtractor<?> extractor = MESSAGE_ID;
        return Optional.of((KeyExtractor<Object>) extractor);
    }
}
