package io.dedup.internal;

import io.dedup.FailurePolicy;
import io.dedup.KeyExtractor;
import io.dedup.StoreUnavailablePolicy;
import io.dedup.spi.DedupStore;
import java.time.Duration;
import java.util.function.Function;

/**
 * The validated, immutable configuration of one {@code DedupConsumer}, as {@link EngineOptions} assembled it; every
 * part of the engine reads its settings here rather than from the builder. Public only because the consumer's getters
 * read it; not API.
 *
 * <p>Thread-safe: immutable, and the functions in it are the application's, which must be thread-safe.
 */
public record EngineSettings<M>(
        DedupStore store,
        boolean ownsStore,
        KeyExtractor<? super M> keyExtractor,
        String namespace,
        Duration retention,
        Duration lease,
        double renewFraction,
        Function<? super M, byte[]> fingerprintPayload,
        boolean digestAllKeys,
        FailurePolicy failurePolicy,
        StoreUnavailablePolicy storeUnavailablePolicy,
        int handlerAttempts,
        Duration retryBackoff,
        Function<? super M, String> describer,
        DedupMetrics metrics) {}
