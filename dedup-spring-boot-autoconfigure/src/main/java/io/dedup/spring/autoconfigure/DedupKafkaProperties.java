package io.dedup.spring.autoconfigure;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code dedup.kafka.*}: the {@code @KafkaListener} containers. A record's key is looked up per listener
 * ({@code listeners.<id>.key}, then {@code @Deduplicated}), then per topic ({@code topics.<topic>}, then a listener
 * annotated for that topic), then {@link #getKey()}; the grammar is dedup-kafka's {@code RecordKeys}.
 *
 * <p>Not thread-safe while Spring binds it; read-only afterwards.
 */
public class DedupKafkaProperties extends DedupContainerProperties {
    /**
     * Where a record's key is, for listeners and topics without their own: a comma-separated chain of
     * header[:NAME], record-key, json-pointer:/POINTER, content-hash[:HEADER1+HEADER2].
     */
    private String key = "header:idempotency-key";

    /** Per topic: where its records' key is (same form as dedup.kafka.key). */
    private final Map<String, String> topics = new LinkedHashMap<>();

    public String getKey() {
        return key;
    }

    public void setKey(String key) {
        this.key = key;
    }

    /** The key specification of each topic that has its own, by topic; live, bound by Spring. */
    public Map<String, String> getTopics() {
        return topics;
    }
}
