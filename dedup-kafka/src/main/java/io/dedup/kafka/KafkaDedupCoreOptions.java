package io.dedup.kafka;

import io.dedup.DedupConsumer;
import io.dedup.DedupSettings;
import io.dedup.DedupStores;
import io.dedup.spi.Checks;
import io.dedup.spi.DedupStore;
import io.dedup.spi.StoreSettings;
import java.util.Objects;

/**
 * Core's settings as a {@link KafkaDedup} builder takes them: the store, the namespace (by default the consumer
 * group), the shared {@link DedupSettings} and the meter registry. They are handed on to one {@link
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
     * Lease, retention, renewal, policies and key digests. Default {@link DedupSettings#ofDefaults()}. For Kafka the
     * failure policy says what happens to a key whose record was dead-lettered after its handler failed: released
     * (a later duplicate runs the handler again) or marked failed (later duplicates are answered as done); while the
     * store is down, {@code FAIL_CLOSED} stops, backs off and resumes, never running unguarded.
     *
     * @throws NullPointerException if {@code settings} is null
     */
    public B settings(DedupSettings settings) {
        this.settings = DedupSettings.from(settings);
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
