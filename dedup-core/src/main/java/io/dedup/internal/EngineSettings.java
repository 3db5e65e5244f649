package io.dedup.internal;

import io.dedup.FailurePolicy;
import io.dedup.KeyExtractor;
import io.dedup.StoreUnavailablePolicy;
import io.dedup.spi.DedupStore;
import java.time.Duration;
import java.util.function.Function;

/** The validated, immutable configuration of one {@code DedupConsumer}. */
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
