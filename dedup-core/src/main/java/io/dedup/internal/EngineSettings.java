package io.dedup.internal;

import io.dedup.DedupSettings;
import io.dedup.KeyExtractor;
import io.dedup.spi.DedupStore;
import java.time.Duration;
import java.util.function.Function;

/**
 * The validated, immutable configuration of one {@code DedupConsumer}, as {@link EngineOptions} assembled it; every
 * part of the engine reads its settings here rather than from the builder. Public only because the consumer's getters
 * read it; not API. {@code shared} holds what every front end shares (lease, retention, renewal, policies, key
 * digests), as the builder was given it.
 *
 * <p>Thread-safe: immutable, and the functions in it are the application's, which must be thread-safe.
 */
public record EngineSettings<M>(
        DedupStore store,
        boolean ownsStore,
        KeyExtractor<? super M> keyExtractor,
        String namespace,
        DedupSettings shared,
        Function<? super M, byte[]> fingerprintPayload,
        int handlerAttempts,
        Duration retryBackoff,
        Function<? super M, String> describer,
        DedupMetrics metrics) {}
