package io.dedup.spring.autoconfigure;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What {@code dedup.kafka.*} and {@code dedup.rabbit.*} have in common: a switch for the transport's listener
 * containers, the back-off before a message whose key is held elsewhere comes again, and per-listener settings.
 * Where a message's key is, and the per-topic or per-queue keys, stay in the implementations: the two transports have
 * different key grammars and defaults.
 *
 * <p>Implementations are immutable and thread-safe.
 */
public sealed interface DedupContainerProperties permits DedupKafkaProperties, DedupRabbitProperties {
    /** Whether this transport's listener containers (@KafkaListener or @RabbitListener) are deduplicated. */
    boolean enabled();

    /**
     * How long a message whose key is held elsewhere waits before it is delivered again: Kafka's container seeks
     * back and waits this long; RabbitMQ's consumer waits this long, then requeues the message.
     */
    Duration inProgressBackoff();

    /** The settings of each listener that has its own, by listener id; unmodifiable. */
    Map<String, DedupListenerProperties> listeners();

    /** The settings of the listener with this id, or {@code null} when it has none (or has no id). */
    default DedupListenerProperties listener(String id) {
        return id == null ? null : listeners().get(id);
    }

    /** An unmodifiable copy of a bound map, in binding order; empty for none. */
    static <V> Map<String, V> copy(Map<String, V> bound) {
        return bound == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(bound));
    }
}
