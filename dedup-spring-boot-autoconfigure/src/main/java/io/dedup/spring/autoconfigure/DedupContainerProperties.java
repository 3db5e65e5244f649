package io.dedup.spring.autoconfigure;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What {@code dedup.kafka.*} and {@code dedup.rabbit.*} have in common: a switch for the transport's listener
 * containers, the back-off before a message whose key is held elsewhere comes again, and per-listener settings.
 * Where a message's key is, and the per-topic or per-queue keys, stay in the subclasses: the two transports have
 * different key grammars and defaults.
 *
 * <p>Not thread-safe while Spring binds it; read-only afterwards.
 */
public abstract class DedupContainerProperties {
    /** Whether this transport's listener containers (@KafkaListener or @RabbitListener) are deduplicated. */
    private boolean enabled = true;

    /**
     * How long a message whose key is held elsewhere waits before it is delivered again: Kafka's container seeks
     * back and waits this long; RabbitMQ's consumer waits this long, then requeues the message.
     */
    private Duration inProgressBackoff = Duration.ofSeconds(1);

    /** Per listener id: its key and namespace. */
    private final Map<String, DedupListenerProperties> listeners = new LinkedHashMap<>();

    DedupContainerProperties() {}

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public Duration getInProgressBackoff() {
        return inProgressBackoff;
    }

    public void setInProgressBackoff(Duration inProgressBackoff) {
        this.inProgressBackoff = inProgressBackoff;
    }

    /** The settings of each listener that has its own, by listener id; live, bound by Spring. */
    public Map<String, DedupListenerProperties> getListeners() {
        return listeners;
    }

    /** The settings of the listener with this id, or {@code null} when it has none (or has no id). */
    public DedupListenerProperties listener(String id) {
        return id == null ? null : listeners.get(id);
    }
}
