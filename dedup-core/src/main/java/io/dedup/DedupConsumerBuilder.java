package io.dedup;

import io.dedup.internal.EngineOptions;
import io.dedup.spi.DedupStore;
import java.time.Duration;
import java.util.function.Function;

/**
 * Configures a {@link DedupConsumer}: the store, the namespace, the shared {@link DedupSettings} and the consumer's own
 * options. Each setter checks its argument and names it when it fails. Not thread-safe; the consumer it builds is.
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
     * The settings this consumer shares with every dedup front end: lease and its renewal, retention, the failure and
     * store-unavailable policies, and key digests ({@code DedupSettings.custom().lease(...).build()}). Default {@link
     * DedupSettings#ofDefaults()}.
     *
     * @throws NullPointerException if {@code settings} is null
     */
    public DedupConsumerBuilder<M> settings(DedupSettings settings) {
        options.settings(settings);
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
     */
    public DedupConsumer<M> build() {
        return new DedupConsumer<>(options.build());
    }
}
