package io.dedup.spring.autoconfigure;

import java.time.Duration;
import java.util.Map;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code dedup.kafka.*}: the {@code @KafkaListener} containers. A record's key is looked up per listener
 * ({@code listeners.<id>.key}, then {@code @Deduplicated}), then per topic ({@code topics.<topic>}, then a listener
 * annotated for that topic), then {@link #key()}; the grammar is dedup-kafka's {@code RecordKeys}.
 *
 * <p>Immutable and thread-safe; bound by Spring through its constructor.
 *
 * @param enabled Whether the @KafkaListener containers are deduplicated
 * @param inProgressBackoff How long a record whose key is held elsewhere waits before it is delivered again: the
 *     container seeks back and waits this long
 * @param listeners Per listener id: its key and namespace
 * @param key Where a record's key is, for listeners and topics without their own: a comma-separated chain of
 *     header[:NAME], record-key, json-pointer:/POINTER, content-hash[:HEADER1+HEADER2]
 * @param topics Per topic: where its records' key is (same form as dedup.kafka.key)
 */
public record DedupKafkaProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("1s") Duration inProgressBackoff,
        Map<String, DedupListenerProperties> listeners,
        @DefaultValue("header:idempotency-key") String key,
        Map<String, String> topics)
        implements DedupContainerProperties {
    /** Copies the maps; Spring passes null for a map with no entries. */
    public DedupKafkaProperties {
        listeners = DedupContainerProperties.copy(listeners);
        topics = DedupContainerProperties.copy(topics);
    }
}
