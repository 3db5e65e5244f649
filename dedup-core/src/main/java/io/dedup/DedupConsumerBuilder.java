package io.dedup;

import io.dedup.internal.EngineOptions;
import io.dedup.spi.DedupStore;
import java.time.Duration;
import java.util.function.Function;

/**
 * Configures a {@link DedupConsumer}. Each setter checks its argument and names it when it fails. Not
 * thread-safe; the consumer it builds is.
 */
public final class DedupConsumerBuilder<M> {
    private final EngineOptions<M> options;

    DedupConsumerBuilder(KeyExtractor<? super M> keyExtractor) {
        this.options = new EngineOptions<>(keyExtractor, DedupConsumer.DEFAULT_NAMESPACE);
    }

    /** The processed-keys store. Default: {@link DedupStores#discover()}, closed with the consumer. */
    public DedupConsumerBuilder<M> store(DedupStore store) {
        options.store(store);
        return this;
    }

    /**
     * What keys are unique within; adapters default it to the consumer group or queue.
     *
     * @throws IllegalArgumentException if it is empty or longer than {@link DedupKey#MAX_NAMESPACE_LENGTH}
     */
    public DedupConsumerBuilder<M> namespace(String namespace) {
        options.namespace(namespace);
        return this;
    }

    /**
     * Lease, retention, renewal, policies and key digests, all at once; the setters below change single values
     * of the same settings. Default {@link DedupSettings#ofDefaults()}.
     */
    public DedupConsumerBuilder<M> settings(DedupSettings settings) {
        options.settings(settings);
        return this;
    }

    /** How long completed keys are remembered. Default 24 h. See {@link DedupSettings.Builder#retention}. */
    public DedupConsumerBuilder<M> retention(Duration retention) {
        options.settings().retention(retention);
        return this;
    }

    /** How long a claim stays valid without renewal. Default 30 s. See {@link DedupSettings.Builder#lease}. */
    public DedupConsumerBuilder<M> lease(Duration lease) {
        options.settings().lease(lease);
        return this;
    }

    /**
     * Renew a running handler's lease once this fraction of it has passed (0 &lt; fraction &lt; 1), or pass 0
     * to turn renewal off. Default 1/3.
     */
    public DedupConsumerBuilder<M> leaseRenewalFraction(double fraction) {
        options.settings().leaseRenewalFraction(fraction);
        return this;
    }

    /**
     * Turns fingerprint checking on: the SHA-256 of this payload is stored with each claim, and a key reused
     * for a different payload is a {@link DedupResult.Conflict}. Off by default.
     */
    public DedupConsumerBuilder<M> fingerprint(Function<? super M, byte[]> payload) {
        options.fingerprint(payload);
        return this;
    }

    /** Store every key as its SHA-256 digest, so no raw identifier is kept at rest. Default: only long keys. */
    public DedupConsumerBuilder<M> digestAllKeys(boolean digestAllKeys) {
        options.settings().digestAllKeys(digestAllKeys);
        return this;
    }

    /** What happens to a key when its handler fails for the last time. Default {@link FailurePolicy#RELEASE}. */
    public DedupConsumerBuilder<M> failurePolicy(FailurePolicy failurePolicy) {
        options.settings().failurePolicy(failurePolicy);
        return this;
    }

    /**
     * Whether a handler may run without a claim while the store is down. Default {@link
     * StoreUnavailablePolicy#FAIL_CLOSED}: never.
     */
    public DedupConsumerBuilder<M> storeUnavailablePolicy(StoreUnavailablePolicy policy) {
        options.settings().storeUnavailablePolicy(policy);
        return this;
    }

    /**
     * How many times to run a failing handler under the same claim before reporting it failed, waiting
     * {@code backoff} times the attempt number between runs. Default 1 (no in-process retry).
     *
     * @throws IllegalArgumentException if {@code attempts} is below 1 or {@code backoff} is negative
     */
    public DedupConsumerBuilder<M> handlerAttempts(int attempts, Duration backoff) {
        options.handlerAttempts(attempts, backoff);
        return this;
    }

    /** How to name a message in error messages (topic, partition, offset); never include payloads or secrets. */
    public DedupConsumerBuilder<M> messageDescriber(Function<? super M, String> describer) {
        options.messageDescriber(describer);
        return this;
    }

    /**
     * Publish metrics to this Micrometer {@code MeterRegistry} (micrometer-core must be on the classpath).
     * Typed as Object so that dedup-core loads without Micrometer.
     *
     * @throws IllegalArgumentException if it is not a {@code io.micrometer.core.instrument.MeterRegistry}
     */
    public DedupConsumerBuilder<M> meterRegistry(Object meterRegistry) {
        options.meterRegistry(meterRegistry);
        return this;
    }

    /** An extra tag on every meter (adapters add {@code topic} or {@code queue}). */
    public DedupConsumerBuilder<M> metricTag(String name, String value) {
        options.metricTag(name, value);
        return this;
    }

    /**
     * The consumer; without a store set, discovers one now ({@link DedupStores#discover()}).
     *
     * @throws DedupConfigurationException if no store was set and the store modules on the classpath are
     *     ambiguous
     * @throws IllegalArgumentException if the lease is longer than the retention
     */
    public DedupConsumer<M> build() {
        return new DedupConsumer<>(options.build());
    }
}
