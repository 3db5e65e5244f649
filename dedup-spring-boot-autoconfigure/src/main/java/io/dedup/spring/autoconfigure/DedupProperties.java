package io.dedup.spring.autoconfigure;

import io.dedup.DedupSettings;
import io.dedup.StoreUnavailablePolicy;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Everything the starter reads from {@code dedup.*}: the settings every deduplicated listener shares (namespace,
 * retention, lease, key digests, the store-unavailable policy) here, and one group per concern under it, each its
 * own record: {@code dedup.store} ({@link DedupStoreProperties}), {@code dedup.redis} ({@link DedupRedisProperties}),
 * {@code dedup.jdbc} ({@link DedupJdbcProperties}), {@code dedup.kafka} ({@link DedupKafkaProperties}),
 * {@code dedup.rabbit} ({@link DedupRabbitProperties}) and {@code dedup.observation}
 * ({@link DedupObservationProperties}). The defaults of the shared settings are the library's own ({@link
 * DedupSettings}' constants), so that an application moving from the plain library to the starter keeps its
 * behaviour.
 *
 * <p>Binding does not validate: a value the library refuses (a negative lease, say) fails when the first listener's
 * consumer is built, with the library's {@code IllegalArgumentException} naming the setting.
 *
 * <p>Immutable and thread-safe; bound by Spring through its constructor.
 *
 * @param enabled Whether listeners are deduplicated at all
 * @param namespace Namespace of every key, so that two applications never collide on the same key. Empty: each
 *     listener's consumer group (Kafka) or queue (RabbitMQ).
 * @param retention How long a completed key is remembered (default 24 h)
 * @param lease How long a claimed key stays held without renewal; renewed while the listener runs (default 30 s)
 * @param digestAllKeys Store every key as a digest, so that no raw identifier is kept at rest
 * @param storeUnavailable What happens while the store does not answer: FAIL_CLOSED backs off, FAIL_OPEN runs
 *     unguarded
 * @param store {@code dedup.store.*}: which store serves
 * @param redis {@code dedup.redis.*}: the Redis store, when it serves
 * @param jdbc {@code dedup.jdbc.*}: the JDBC store, when it serves, and transactional claims
 * @param kafka {@code dedup.kafka.*}: the {@code @KafkaListener} containers
 * @param rabbit {@code dedup.rabbit.*}: the {@code @RabbitListener} containers
 * @param observation {@code dedup.observation.*}: the Micrometer observation of each message
 */
@ConfigurationProperties("dedup")
public record DedupProperties(
        @DefaultValue("true") boolean enabled,
        String namespace,
        Duration retention,
        Duration lease,
        boolean digestAllKeys,
        StoreUnavailablePolicy storeUnavailable,
        // The groups are in their own files; @NestedConfigurationProperty makes the configuration processor describe
        // their keys as dedup.<group>.*, and @DefaultValue binds each with its defaults when none of its keys is set.
        @DefaultValue @NestedConfigurationProperty DedupStoreProperties store,
        @DefaultValue @NestedConfigurationProperty DedupRedisProperties redis,
        @DefaultValue @NestedConfigurationProperty DedupJdbcProperties jdbc,
        @DefaultValue @NestedConfigurationProperty DedupKafkaProperties kafka,
        @DefaultValue @NestedConfigurationProperty DedupRabbitProperties rabbit,
        @DefaultValue @NestedConfigurationProperty DedupObservationProperties observation) {
    /** Fills in the library's defaults for the shared settings left unset. */
    public DedupProperties {
        retention = retention != null ? retention : DedupSettings.DEFAULT_RETENTION;
        lease = lease != null ? lease : DedupSettings.DEFAULT_LEASE;
        storeUnavailable = storeUnavailable != null ? storeUnavailable : StoreUnavailablePolicy.FAIL_CLOSED;
    }

    /**
     * The shared settings every listener's consumer is built with: retention, lease, key digests and the
     * store-unavailable policy from here, the rest the library's defaults.
     *
     * @throws IllegalArgumentException if the retention or the lease is out of range, naming it
     */
    public DedupSettings settings() {
        return DedupSettings.custom()
                .retention(retention)
                .lease(lease)
                .digestAllKeys(digestAllKeys)
                .storeUnavailablePolicy(storeUnavailable)
                .build();
    }
}
