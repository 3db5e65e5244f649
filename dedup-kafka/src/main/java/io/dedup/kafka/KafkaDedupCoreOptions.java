package io.dedup.kafka;

import io.dedup.DedupConsumer;
import io.dedup.DedupSettings;
import io.dedup.DedupStores;
import io.dedup.FailurePolicy;
import io.dedup.StoreUnavailablePolicy;
import io.dedup.spi.Checks;
import io.dedup.spi.DedupStore;
import io.dedup.spi.StoreSettings;
import java.time.Duration;
import java.util.Objects;

/**
 * Core's settings as a {@link KafkaDedup} builder takes them: the store, the namespace (by default the consumer
 * group), lease, retention, policies, key digests and the meter registry. They are handed on to one {@link
 * DedupConsumer} per topic, so every topic of an instance shares them. Each setter checks its argument and names it
 * when it fails.
 *
 * <p>Not thread-safe.
 *
 * @param <B> the concrete builder, returned by every setter
 */
public abstract sealed class KafkaDedupCoreOptions<B extends KafkaDedupCoreOptions<B>> permits KafkaDedupOptions {
    private DedupStore store;
    private String groupId;
    private String namespace;
    private DedupSettings.Builder settings = DedupSettings.custom();
    private StoreSettings storeSettings;
    private Object meterRegistry;

    KafkaDedupCoreOptions() {}

    /** This builder, typed as the concrete builder for chained calls. */
    abstract B self();

    /** The processed-keys store. Default: {@link DedupStores#discover()}, closed with the instance. */
    public B store(DedupStore store) {
        this.store = Objects.requireNonNull(store, "store");
        return self();
    }

    /**
     * The consumer group: the namespace unless {@link #namespace} is set.
     *
     * @throws IllegalArgumentException if {@code groupId} is empty
     */
    public B groupId(String groupId) {
        this.groupId = Checks.nonEmpty(groupId, "groupId");
        return self();
    }

    /**
     * What keys are unique within. Default: the group id, else {@value DedupConsumer#DEFAULT_NAMESPACE}.
     *
     * @throws IllegalArgumentException if {@code namespace} is empty
     */
    public B namespace(String namespace) {
        this.namespace = Checks.nonEmpty(namespace, "namespace");
        return self();
    }

    /**
     * Lease, retention, renewal, policies and key digests, all at once; the setters below change single values
     * of the same settings. Default {@link DedupSettings#ofDefaults()}.
     */
    public B settings(DedupSettings settings) {
        this.settings = DedupSettings.from(settings);
        return self();
    }

    /**
     * How long a claim stays valid without renewal. Default 30 s, renewed every third while held.
     *
     * @throws IllegalArgumentException if {@code lease} is not positive; one longer than the retention fails at
     *     {@code build()}
     */
    public B lease(Duration lease) {
        settings.lease(lease);
        return self();
    }

    /**
     * How long completed keys are remembered. Default 24 h.
     *
     * @throws IllegalArgumentException if {@code retention} is not positive
     */
    public B retention(Duration retention) {
        settings.retention(retention);
        return self();
    }

    /**
     * What happens to a key whose record was dead-lettered after its handler failed: released (default; a
     * later duplicate runs the handler again) or marked failed (later duplicates are answered as done).
     */
    public B failurePolicy(FailurePolicy failurePolicy) {
        settings.failurePolicy(failurePolicy);
        return self();
    }

    /** Default {@link StoreUnavailablePolicy#FAIL_CLOSED}: stop, back off, resume; never run unguarded. */
    public B storeUnavailablePolicy(StoreUnavailablePolicy policy) {
        settings.storeUnavailablePolicy(policy);
        return self();
    }

    /** Store every key as its digest, so no raw identifier is kept at rest. Default: only long keys. */
    public B digestAllKeys(boolean digestAllKeys) {
        settings.digestAllKeys(digestAllKeys);
        return self();
    }

    /** Publish metrics to this Micrometer {@code MeterRegistry}: core's {@code dedup.*} meters tagged {@code topic}, and {@code dedup.kafka.*}. */
    public B meterRegistry(Object meterRegistry) {
        this.meterRegistry = Objects.requireNonNull(meterRegistry, "meterRegistry");
        return self();
    }

    /** The shared settings being built, for {@link KafkaDedupProperties}. */
    DedupSettings.Builder settingsBuilder() {
        return settings;
    }

    /** Store settings read from the properties, used when no store is set. */
    void storeSettings(StoreSettings storeSettings) {
        this.storeSettings = storeSettings;
    }

    /** Whether the namespace is settled; the runner supplies the consumer's group id otherwise. */
    boolean hasGroupOrNamespace() {
        return groupId != null || namespace != null;
    }

    /** The namespace chosen: the one set, else the group id, else core's default. */
    String chosenNamespace() {
        return namespace != null ? namespace : groupId != null ? groupId : DedupConsumer.DEFAULT_NAMESPACE;
    }

    /** The store set, or null to discover one. */
    DedupStore store() {
        return store;
    }

    /** The meter registry set, or null. */
    Object meterRegistry() {
        return meterRegistry;
    }

    /** The store the classpath offers, configured by the properties read if any, else by system properties. */
    DedupStore discover() {
        return storeSettings == null
                ? DedupStores.discover()
                : DedupStores.discover(storeSettings, DedupStores.class.getClassLoader());
    }
}
