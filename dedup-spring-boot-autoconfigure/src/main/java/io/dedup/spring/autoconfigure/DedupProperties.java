package io.dedup.spring.autoconfigure;

import io.dedup.DedupConsumer;
import io.dedup.StoreUnavailablePolicy;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;

/**
 * Everything the starter reads from {@code dedup.*}: the settings every deduplicated listener shares (namespace,
 * retention, lease, key digests, the store-unavailable policy) here, and one group per concern under it, each its
 * own class: {@code dedup.store} ({@link DedupStoreProperties}), {@code dedup.redis} ({@link DedupRedisProperties}),
 * {@code dedup.jdbc} ({@link DedupJdbcProperties}), {@code dedup.kafka} ({@link DedupKafkaProperties}),
 * {@code dedup.rabbit} ({@link DedupRabbitProperties}) and {@code dedup.observation}
 * ({@link DedupObservationProperties}). The defaults are the library's own ({@link DedupConsumer}'s constants), so
 * that an application moving from the plain library to the starter keeps its behaviour.
 *
 * <p>Setters do not validate: a value the library refuses (a negative lease, say) fails when the first listener's
 * consumer is built, with the library's {@code IllegalArgumentException} naming the setting.
 *
 * <p>Not thread-safe while Spring binds it; read-only afterwards, and then safe to share between threads.
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

    // The groups are final and created here: Boot binds into the existing instances through their getters, and
    // @NestedConfigurationProperty makes the configuration processor describe their keys as dedup.<group>.* (it does
    // so by itself only for nested classes, which these were before they got their own files).

    @NestedConfigurationProperty
    private final DedupStoreProperties store = new DedupStoreProperties();

    @NestedConfigurationProperty
    private final DedupRedisProperties redis = new DedupRedisProperties();

    @NestedConfigurationProperty
    private final DedupJdbcProperties jdbc = new DedupJdbcProperties();

    @NestedConfigurationProperty
    private final DedupKafkaProperties kafka = new DedupKafkaProperties();

    @NestedConfigurationProperty
    private final DedupRabbitProperties rabbit = new DedupRabbitProperties();

    @NestedConfigurationProperty
    private final DedupObservationProperties observation = new DedupObservationProperties();

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

    /** {@code dedup.store.*}: which store serves. */
    public DedupStoreProperties getStore() {
        return store;
    }

    /** {@code dedup.redis.*}: the Redis store, when it serves. */
    public DedupRedisProperties getRedis() {
        return redis;
    }

    /** {@code dedup.jdbc.*}: the JDBC store, when it serves, and transactional claims. */
    public DedupJdbcProperties getJdbc() {
        return jdbc;
    }

    /** {@code dedup.kafka.*}: the {@code @KafkaListener} containers. */
    public DedupKafkaProperties getKafka() {
        return kafka;
    }

    /** {@code dedup.rabbit.*}: the {@code @RabbitListener} containers. */
    public DedupRabbitProperties getRabbit() {
        return rabbit;
    }

    /** {@code dedup.observation.*}: the Micrometer observation of each message. */
    public DedupObservationProperties getObservation() {
        return observation;
    }
}
