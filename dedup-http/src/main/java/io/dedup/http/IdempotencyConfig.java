package io.dedup.http;

import io.dedup.DedupSettings;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * The settings of an {@link IdempotencyFilter}, as {@link IdempotencyFilterBuilder} validated them. Immutable and
 * thread-safe; collections are unmodifiable.
 *
 * @param methods the HTTP methods that must carry an {@code Idempotency-Key} (upper case); others pass through
 * @param pathPatterns where the key is required: {@code /*}, {@code /prefix/*}, {@code *.ext} or exact paths, matched
 *     against the request URI without the context path
 * @param namespace the dedup namespace the filter's keys live in (message consumers use their own)
 * @param settings the settings shared with dedup's other front ends: the retention is how long a completed request's
 *     response is replayed, the lease how long a running request holds its key without renewal (renewed while it
 *     runs), the store-unavailable policy fail-closed (503) or fail-open (run the request unguarded) when the store is
 *     down; its failure policy does not apply (a request that throws releases its key)
 * @param inFlightWait how long a request whose key is still running elsewhere waits for that run to finish and
 *     replays it; zero answers 409 at once
 * @param maxKeyLength the longest {@code Idempotency-Key} accepted, in characters
 * @param maxRequestBodyBytes the largest request body the filter reads to digest it; larger requests get 413
 * @param maxStoredBodyBytes the largest response body stored for replay; larger ones are sent but not stored
 * @param storedHeaders response headers kept for replay (lower case)
 * @param fingerprintHeaders request headers that are part of the request fingerprint, besides method, path and body
 * @param storeServerErrors whether 5xx responses are stored and replayed; when false their key is released
 */
public record IdempotencyConfig(
        Set<String> methods,
        List<String> pathPatterns,
        String namespace,
        DedupSettings settings,
        Duration inFlightWait,
        int maxKeyLength,
        int maxRequestBodyBytes,
        int maxStoredBodyBytes,
        Set<String> storedHeaders,
        List<String> fingerprintHeaders,
        boolean storeServerErrors) {
    /**
     * Copies the collections; the builder has checked the values.
     *
     * @throws NullPointerException if a collection, the namespace, the settings or the wait is null
     */
    public IdempotencyConfig {
        methods = Set.copyOf(methods);
        pathPatterns = List.copyOf(pathPatterns);
        storedHeaders = Set.copyOf(storedHeaders);
        fingerprintHeaders = List.copyOf(fingerprintHeaders);
        java.util.Objects.requireNonNull(namespace, "namespace");
        java.util.Objects.requireNonNull(settings, "settings");
        java.util.Objects.requireNonNull(inFlightWait, "inFlightWait");
    }
}
