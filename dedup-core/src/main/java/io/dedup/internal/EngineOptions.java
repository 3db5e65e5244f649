package io.dedup.internal;

import io.dedup.DedupKey;
import io.dedup.DedupSettings;
import io.dedup.DedupStores;
import io.dedup.KeyExtractor;
import io.dedup.spi.DedupStore;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * What {@code DedupConsumerBuilder} collects (the shared {@link DedupSettings} and the consumer's own options), each
 * value checked when it is set and named when it fails, and the {@link DedupEngine} they make. The builder keeps the documented setters; this
 * class keeps the checks and the wiring, so that the public class reads as its API.
 *
 * <p>Not thread-safe, like the builder that owns it.
 */
public final class EngineOptions<M> {
    private final KeyExtractor<? super M> keyExtractor;
    private DedupStore store;
    private String namespace;
    private DedupSettings settings = DedupSettings.ofDefaults();
    private Function<? super M, byte[]> fingerprintPayload;
    private int handlerAttempts = 1;
    private Duration retryBackoff = Duration.ofMillis(100);
    private Function<? super M, String> describer = message -> "message";
    private Object meterRegistry;
    private final Map<String, String> metricTags = new LinkedHashMap<>();

    /**
     * Options with the given key extractor (null: found per message type from the adapters on the classpath) and
     * namespace.
     */
    public EngineOptions(KeyExtractor<? super M> keyExtractor, String namespace) {
        this.keyExtractor = keyExtractor;
        this.namespace = namespace;
    }

    /** @throws NullPointerException if {@code store} is null */
    public void store(DedupStore store) {
        this.store = Objects.requireNonNull(store, "store");
    }

    /** @throws IllegalArgumentException if it is empty or longer than {@link DedupKey#MAX_NAMESPACE_LENGTH} */
    public void namespace(String namespace) {
        Objects.requireNonNull(namespace, "namespace");
        if (namespace.isEmpty() || namespace.length() > DedupKey.MAX_NAMESPACE_LENGTH) {
            throw new IllegalArgumentException(
                    "namespace must be 1 to " + DedupKey.MAX_NAMESPACE_LENGTH + " characters");
        }
        this.namespace = namespace;
    }

    /** @throws NullPointerException if {@code settings} is null */
    public void settings(DedupSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /** Turns fingerprint checking on with this payload. */
    public void fingerprint(Function<? super M, byte[]> payload) {
        this.fingerprintPayload = Objects.requireNonNull(payload, "payload");
    }

    /** @throws IllegalArgumentException if {@code attempts} is below 1 or {@code backoff} is negative */
    public void handlerAttempts(int attempts, Duration backoff) {
        if (attempts < 1) {
            throw new IllegalArgumentException("handlerAttempts must be at least 1, got " + attempts);
        }
        Objects.requireNonNull(backoff, "backoff");
        if (backoff.isNegative()) {
            throw new IllegalArgumentException("backoff must not be negative, got " + backoff);
        }
        this.handlerAttempts = attempts;
        this.retryBackoff = backoff;
    }

    /** How to name a message in error messages. */
    public void messageDescriber(Function<? super M, String> describer) {
        this.describer = Objects.requireNonNull(describer, "describer");
    }

    /**
     * Publish metrics to this Micrometer registry. Checked by class name, so that dedup-core loads without
     * Micrometer on the classpath.
     *
     * @throws IllegalArgumentException if it is not a {@code io.micrometer.core.instrument.MeterRegistry}
     */
    public void meterRegistry(Object meterRegistry) {
        Objects.requireNonNull(meterRegistry, "meterRegistry");
        boolean isRegistry;
        try {
            isRegistry =
                    Class.forName("io.micrometer.core.instrument.MeterRegistry").isInstance(meterRegistry);
        } catch (ClassNotFoundException e) {
            isRegistry = false;
        }
        if (!isRegistry) {
            throw new IllegalArgumentException(
                    "meterRegistry must be an io.micrometer.core.instrument.MeterRegistry, got "
                            + meterRegistry.getClass().getName());
        }
        this.meterRegistry = meterRegistry;
    }

    /** An extra tag on every meter. */
    public void metricTag(String name, String value) {
        metricTags.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
    }

    /**
     * The engine these options describe. Without a store set, the store is discovered now and owned (closed) by the
     * engine; a store the caller gave stays the caller's to close.
     *
     * @throws io.dedup.DedupConfigurationException if no store was set and the store modules on the classpath are
     *     ambiguous
     */
    public DedupEngine<M> build() {
        boolean owns = store == null;
        DedupStore chosen = owns ? DedupStores.discover() : store;
        DedupMetrics metrics = meterRegistry == null
                ? DedupMetrics.NOOP
                : new MicrometerMetrics(meterRegistry, namespace, Map.copyOf(metricTags));
        KeyExtractor<? super M> extractor = keyExtractor != null ? keyExtractor : new DiscoveredKeyExtractor<M>();
        return new DedupEngine<>(new EngineSettings<>(
                chosen,
                owns,
                extractor,
                namespace,
                settings,
                fingerprintPayload,
                handlerAttempts,
                retryBackoff,
                describer,
                metrics));
    }
}
