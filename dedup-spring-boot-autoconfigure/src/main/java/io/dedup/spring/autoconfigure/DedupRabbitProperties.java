package io.dedup.spring.autoconfigure;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code dedup.rabbit.*}: the {@code @RabbitListener} containers. A message's key is looked up per listener
 * ({@code listeners.<id>.key}, then {@code @Deduplicated}), then per queue ({@code queues.<queue>}), then
 * {@link #getKey()}; the grammar is dedup-rabbitmq's {@code RabbitKeys}. The default is the AMQP message id because
 * that is where publishers following the AMQP conventions put a message's identity.
 *
 * <p>Not thread-safe while Spring binds it; read-only afterwards.
 */
public class DedupRabbitProperties extends DedupContainerProperties {
    /**
     * Where a message's key is, for listeners and queues without their own: a comma-separated chain of
     * message-id, header, header:NAME, json:/POINTER, content-hash.
     */
    private String key = "message-id";

    /** Per queue: where its messages' key is (same form as dedup.rabbit.key). */
    private final Map<String, String> queues = new LinkedHashMap<>();

    public String getKey() {
        return key;
    }

    public void setKey(String key) {
        this.key = key;
    }

    /** The key specification of each queue that has its own, by queue; live, bound by Spring. */
    public Map<String, String> getQueues() {
        return queues;
    }
}
