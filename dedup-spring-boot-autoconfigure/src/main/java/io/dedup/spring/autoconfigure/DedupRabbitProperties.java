package io.dedup.spring.autoconfigure;

import java.time.Duration;
import java.util.Map;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code dedup.rabbit.*}: the {@code @RabbitListener} containers. A message's key is looked up per listener
 * ({@code listeners.<id>.key}, then {@code @Deduplicated}), then per queue ({@code queues.<queue>}), then
 * {@link #key()}; the grammar is dedup-rabbitmq's {@code RabbitKeys}. The default is the AMQP message id because
 * that is where publishers following the AMQP conventions put a message's identity.
 *
 * <p>Immutable and thread-safe; bound by Spring through its constructor.
 *
 * @param enabled Whether the @RabbitListener containers are deduplicated
 * @param inProgressBackoff The pause between two claims of a message whose key is held elsewhere (or whose store is
 *     down while fail-closed): the message waits unacked on its consumer, which claims it again after each pause until
 *     it can run or is a duplicate; it is not requeued while it waits, so a quorum queue's delivery limit never counts
 *     the wait
 * @param listeners Per listener id: its key and namespace
 * @param key Where a message's key is, for listeners and queues without their own: a comma-separated chain of
 *     message-id, header, header:NAME, json:/POINTER, content-hash
 * @param queues Per queue: where its messages' key is (same form as dedup.rabbit.key)
 */
public record DedupRabbitProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("1s") Duration inProgressBackoff,
        Map<String, DedupListenerProperties> listeners,
        @DefaultValue("message-id") String key,
        Map<String, String> queues)
        implements DedupContainerProperties {
    /** Copies the maps; Spring passes null for a map with no entries. */
    public DedupRabbitProperties {
        listeners = DedupContainerProperties.copy(listeners);
        queues = DedupContainerProperties.copy(queues);
    }
}
