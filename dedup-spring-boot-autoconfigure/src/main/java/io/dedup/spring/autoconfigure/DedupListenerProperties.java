package io.dedup.spring.autoconfigure;

/**
 * {@code dedup.kafka.listeners.<id>.*} and {@code dedup.rabbit.listeners.<id>.*}: one listener's own settings, keyed
 * by its listener id. They win over the listener's {@code @Deduplicated} annotation, so that an operator can change a
 * deployed application's key or turn a listener off without a rebuild; an empty value falls through to the
 * annotation, then the per-topic or per-queue setting, then the transport's default.
 *
 * <p>Not thread-safe while Spring binds it; read-only afterwards.
 */
public class DedupListenerProperties {
    /** Whether this listener is deduplicated. */
    private boolean enabled = true;

    /** Where its messages' key is; empty: per topic or queue, then dedup.kafka.key or dedup.rabbit.key. */
    private String key;

    /** Its namespace; empty: dedup.namespace, then its consumer group (Kafka) or queue (RabbitMQ). */
    private String namespace;

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public String getKey() {
        return key;
    }

    public void setKey(String key) {
        this.key = key;
    }

    public String getNamespace() {
        return namespace;
    }

    public void setNamespace(String namespace) {
        this.namespace = namespace;
    }
}
