package io.dedup.spi;

import io.dedup.KeyExtractor;
import java.util.Optional;

/**
 * How a transport adapter tells core where the idempotency key of its message type lives by default (a Kafka
 * record's {@code idempotency-key} header, an AMQP delivery's message-id), so that {@link
 * io.dedup.DedupConsumer#wrap(io.dedup.MessageHandler)} works without configuration. Registered in
 * {@code META-INF/services/io.dedup.spi.DefaultKeyExtractorProvider}.
 *
 * <p>Implementations are thread-safe and stateless: one instance answers every consumer of the JVM.
 */
public interface DefaultKeyExtractorProvider {
    /** The default extractor for messages of this class, or empty if this provider does not know the type. */
    Optional<KeyExtractor<Object>> forMessageType(Class<?> messageType);
}
