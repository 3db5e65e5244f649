package io.dedup.spring.autoconfigure;

import io.dedup.DedupConsumer;
import io.dedup.StoreUnavailablePolicy;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Everything the starter reads from {@code dedup.*}. The defaults are the library's own.
 *
 * <p>Not thread-safe while Spring binds it; read-only afterwards.
 */
@ConfigurationProperties("dedup")
public class DedupProperties {
    /** Whether listeners are deduplicated at all. */
    private boolean enabled = true;

    /**
     * Namespace of every key, so that two applications never collide on the same key. Empty: each listener's
     * consumer group (Kafka) or queue (RabbitMQ).
     */
    private String namespace;

    /** How long a completed key is remembered. */
    private Duration retention = DedupConsumer.DEFAULT_RETENTION;

    /** How long a claimed key stays held without renewal; renewed while the listener runs. */
    private Duration lease = DedupConsumer.DEFAULT_LEASE;

    /** Store every key as a digest, so that no raw identifier is kept at rest. */
    private boolean digestAllKeys;

    /** What happens while the store does not answer: FAIL_CLOSED backs off, FAIL_OPEN runs unguarded. */
    private StoreUnavailablePolicy storeUnavailable = StoreUnavailablePolicy.FAIL_CLOSED;

    private final Store store = new Store();
    private final Redis redis = new Redis();
    private final Jdbc jdbc = new Jdbc();
    private final Kafka kafka = new Kafka();
    private final Rabbit rabbit = new Rabbit();
    private final Observation observation = new Observation();

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public String getNamespace() {
        return namespace;
    }

    public void setNamespace(String namespace) {
        this.namespace = namespace;
    }

    public Duration getRetention() {
        return retention;
    }

    public void setRetention(Duration retention) {
        this.retention = retention;
    }

    public Duration getLease() {
        return lease;
    }

    public void setLease(Duration lease) {
        this.lease = lease;
    }

    public boolean isDigestAllKeys() {
        return digestAllKeys;
    }

    public void setDigestAllKeys(boolean digestAllKeys) {
        this.digestAllKeys = digestAllKeys;
    }

    public StoreUnavailablePolicy getStoreUnavailable() {
        return storeUnavailable;
    }

    public void setStoreUnavailable(StoreUnavailablePolicy storeUnavailable) {
        this.storeUnavailable = storeUnavailable;
    }

    public Store getStore() {
        return store;
    }

    public Redis getRedis() {
        return redis;
    }

    public Jdbc getJdbc() {
        return jdbc;
    }

    public Kafka getKafka() {
        return kafka;
    }

    public Rabbit getRabbit() {
        return rabbit;
    }

    public Observation getObservation() {
        return observation;
    }

    /** Which store serves. */
    public enum StoreType {
        /** Redis when dedup-redis-store is present, else JDBC when dedup-jdbc-store and a DataSource are, else memory. */
        AUTO,
        MEMORY,
        REDIS,
        JDBC
    }

    public static class Store {
        /** Which store serves; AUTO follows the classpath. An application's own DedupStore bean always wins. */
        private StoreType type = StoreType.AUTO;

        public StoreType getType() {
            return type;
        }

        public void setType(StoreType type) {
            this.type = type;
        }
    }

    public static class Redis {
        /**
         * Redis URI of the store (redis://, rediss://). Empty: the host, port, database, password and TLS of the
         * application's Lettuce connection factory.
         */
        private String uri;

        /** Prefix of every Redis key the store writes. */
        private String keyPrefix = "dedup:";

        /** Timeout of one Redis command. */
        private Duration commandTimeout = Duration.ofSeconds(2);

        /** Whether the URI names a Redis Cluster. */
        private boolean cluster;

        public String getUri() {
            return uri;
        }

        public void setUri(String uri) {
            this.uri = uri;
        }

        public String getKeyPrefix() {
            return keyPrefix;
        }

        public void setKeyPrefix(String keyPrefix) {
            this.keyPrefix = keyPrefix;
        }

        public Duration getCommandTimeout() {
            return commandTimeout;
        }

        public void setCommandTimeout(Duration commandTimeout) {
            this.commandTimeout = commandTimeout;
        }

        public boolean isCluster() {
            return cluster;
        }

        public void setCluster(boolean cluster) {
            this.cluster = cluster;
        }
    }

    public static class Jdbc {
        /** Table of the processed keys. */
        private String table = "dedup_keys";

        /** Create the table (and its positions table) when missing. */
        private boolean createSchema = true;

        /**
         * Claim and complete keys inside the listener's Spring-managed transaction on the application's DataSource,
         * so that the key and the listener's own writes commit or roll back together.
         */
        private boolean transactional;

        public String getTable() {
            return table;
        }

        public void setTable(String table) {
            this.table = table;
        }

        public boolean isCreateSchema() {
            return createSchema;
        }

        public void setCreateSchema(boolean createSchema) {
            this.createSchema = createSchema;
        }

        public boolean isTransactional() {
            return transactional;
        }

        public void setTransactional(boolean transactional) {
            this.transactional = transactional;
        }
    }

    public static class Kafka {
        /** Whether @KafkaListener containers are deduplicated. */
        private boolean enabled = true;

        /**
         * Where a record's key is, for listeners and topics without their own: a comma-separated chain of
         * header[:NAME], record-key, json-pointer:/POINTER, content-hash[:HEADER1+HEADER2].
         */
        private String key = "header:idempotency-key";

        /** How long the container waits before a record whose key is held elsewhere is delivered again. */
        private Duration inProgressBackoff = Duration.ofSeconds(1);

        /** Per listener id: its key and namespace. */
        private final Map<String, Listener> listeners = new LinkedHashMap<>();

        /** Per topic: where its records' key is (same form as dedup.kafka.key). */
        private final Map<String, String> topics = new LinkedHashMap<>();

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

        public Duration getInProgressBackoff() {
            return inProgressBackoff;
        }

        public void setInProgressBackoff(Duration inProgressBackoff) {
            this.inProgressBackoff = inProgressBackoff;
        }

        public Map<String, Listener> getListeners() {
            return listeners;
        }

        public Map<String, String> getTopics() {
            return topics;
        }
    }

    public static class Rabbit {
        /** Whether @RabbitListener containers are deduplicated. */
        private boolean enabled = true;

        /**
         * Where a message's key is, for listeners and queues without their own: a comma-separated chain of
         * message-id, header, header:NAME, json:/POINTER, content-hash.
         */
        private String key = "message-id";

        /**
         * How long a message whose key is held elsewhere waits on the consumer before it is requeued (and delivered
         * again).
         */
        private Duration inProgressBackoff = Duration.ofSeconds(1);

        /** Per listener id: its key and namespace. */
        private final Map<String, Listener> listeners = new LinkedHashMap<>();

        /** Per queue: where its messages' key is (same form as dedup.rabbit.key). */
        private final Map<String, String> queues = new LinkedHashMap<>();

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

        public Duration getInProgressBackoff() {
            return inProgressBackoff;
        }

        public void setInProgressBackoff(Duration inProgressBackoff) {
            this.inProgressBackoff = inProgressBackoff;
        }

        public Map<String, Listener> getListeners() {
            return listeners;
        }

        public Map<String, String> getQueues() {
            return queues;
        }
    }

    public static class Listener {
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

    public static class Observation {
        /** Whether each message gets a Micrometer Observation "dedup.message" with its dedup.outcome. */
        private boolean enabled = true;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }
    }
}
