package io.dedup.http;

import io.dedup.DedupConsumer;
import io.dedup.FailurePolicy;
import io.dedup.StoreUnavailablePolicy;
import io.dedup.http.internal.Exchange;
import io.dedup.http.internal.PathPatterns;
import io.dedup.spi.Checks;
import io.dedup.spi.DedupStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Configures an {@link IdempotencyFilter}. Each setter checks its argument and names it when it fails. Not
 * thread-safe; the filter it builds is.
 */
public final class IdempotencyFilterBuilder {
    private final DedupStore store;
    private Set<String> methods = IdempotencyFilter.DEFAULT_METHODS;
    private List<String> pathPatterns = List.of("/*");
    private ClientIdResolver clientIdResolver = ClientIdResolver.principal();
    private String namespace = IdempotencyFilter.DEFAULT_NAMESPACE;
    private Duration retention = IdempotencyFilter.DEFAULT_RETENTION;
    private Duration lease = IdempotencyFilter.DEFAULT_LEASE;
    private Duration inFlightWait = Duration.ZERO;
    private int maxKeyLength = IdempotencyFilter.DEFAULT_MAX_KEY_LENGTH;
    private int maxRequestBodyBytes = IdempotencyFilter.DEFAULT_MAX_REQUEST_BODY_BYTES;
    private int maxStoredBodyBytes = IdempotencyFilter.DEFAULT_MAX_STORED_BODY_BYTES;
    private Set<String> storedHeaders = lowerCase(IdempotencyFilter.DEFAULT_STORED_HEADERS, "storedHeaders");
    private List<String> fingerprintHeaders = List.of();
    private boolean storeServerErrors;
    private StoreUnavailablePolicy storeUnavailablePolicy = StoreUnavailablePolicy.FAIL_CLOSED;
    private Object meterRegistry;

    IdempotencyFilterBuilder(DedupStore store) {
        this.store = store;
    }

    /** The methods that require a key. Default POST and PATCH. */
    public IdempotencyFilterBuilder methods(String... methods) {
        Objects.requireNonNull(methods, "methods");
        if (methods.length == 0) {
            throw new IllegalArgumentException("methods must name at least one method");
        }
        Set<String> upper = new LinkedHashSet<>();
        for (String method : methods) {
            if (method == null || method.isBlank()) {
                throw new IllegalArgumentException("methods must not contain null or blank names");
            }
            upper.add(method.strip().toUpperCase(Locale.ROOT));
        }
        this.methods = Set.copyOf(upper);
        return this;
    }

    /**
     * Where the key is required: {@code /*}, {@code /prefix/*}, {@code *.ext} or exact paths, without the
     * context path. Default {@code /*}.
     */
    public IdempotencyFilterBuilder pathPatterns(String... patterns) {
        Objects.requireNonNull(patterns, "pathPatterns");
        if (patterns.length == 0) {
            throw new IllegalArgumentException("pathPatterns must hold at least one pattern");
        }
        PathPatterns.of(java.util.Arrays.asList(patterns), "pathPatterns");
        this.pathPatterns = List.of(patterns);
        return this;
    }

    /** Who the client is, to scope keys per client. Default {@link ClientIdResolver#principal()}. */
    public IdempotencyFilterBuilder clientIdResolver(ClientIdResolver resolver) {
        this.clientIdResolver = Objects.requireNonNull(resolver, "clientIdResolver");
        return this;
    }

    /** The store namespace of the filter's keys. Default {@value IdempotencyFilter#DEFAULT_NAMESPACE}. */
    public IdempotencyFilterBuilder namespace(String namespace) {
        Objects.requireNonNull(namespace, "namespace");
        if (namespace.isEmpty() || namespace.length() > io.dedup.DedupKey.MAX_NAMESPACE_LENGTH) {
            throw new IllegalArgumentException(
                    "namespace must be 1 to " + io.dedup.DedupKey.MAX_NAMESPACE_LENGTH + " characters");
        }
        this.namespace = namespace;
        return this;
    }

    /** How long completed responses are replayed. Default 24 h. */
    public IdempotencyFilterBuilder retention(Duration retention) {
        this.retention = Checks.positive(retention, "retention");
        return this;
    }

    /**
     * How long a running request holds its key without renewal. It is renewed while the request runs; a server
     * that dies mid-request frees the key after at most this long. Default 30 s.
     */
    public IdempotencyFilterBuilder lease(Duration lease) {
        this.lease = Checks.positive(lease, "lease");
        return this;
    }

    /**
     * How long a request whose key is running elsewhere waits for that run and replays its response; zero (the
     * default) answers 409 at once. The wait holds a server thread: keep it short.
     */
    public IdempotencyFilterBuilder inFlightWait(Duration wait) {
        this.inFlightWait = Checks.notNegative(wait, "inFlightWait");
        return this;
    }

    /** The longest key accepted, 1 to 4096 characters. Default 255. */
    public IdempotencyFilterBuilder maxKeyLength(int length) {
        if (length < 1 || length > 4096) {
            throw new IllegalArgumentException("maxKeyLength must be 1 to 4096, got " + length);
        }
        this.maxKeyLength = length;
        return this;
    }

    /** The largest request body read to digest it; larger requests get 413. Default 1 MiB. */
    public IdempotencyFilterBuilder maxRequestBodyBytes(int bytes) {
        if (bytes < 0 || bytes == Integer.MAX_VALUE) {
            throw new IllegalArgumentException(
                    "maxRequestBodyBytes must be 0 to " + (Integer.MAX_VALUE - 1) + ", got " + bytes);
        }
        this.maxRequestBodyBytes = bytes;
        return this;
    }

    /** The largest response body stored for replay; larger ones are sent but not stored. Default 1 MiB. */
    public IdempotencyFilterBuilder maxStoredBodyBytes(int bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("maxStoredBodyBytes must not be negative, got " + bytes);
        }
        this.maxStoredBodyBytes = bytes;
        return this;
    }

    /** The response headers kept for replay (case-insensitive). Default {@link IdempotencyFilter#DEFAULT_STORED_HEADERS}. */
    public IdempotencyFilterBuilder storedHeaders(String... names) {
        Objects.requireNonNull(names, "storedHeaders");
        this.storedHeaders = lowerCase(java.util.Arrays.asList(names), "storedHeaders");
        return this;
    }

    /** Request headers that belong to the fingerprint besides method, path and body. Default none. */
    public IdempotencyFilterBuilder fingerprintHeaders(String... names) {
        Objects.requireNonNull(names, "fingerprintHeaders");
        this.fingerprintHeaders = List.copyOf(lowerCase(java.util.Arrays.asList(names), "fingerprintHeaders"));
        return this;
    }

    /** Whether 5xx responses are stored and replayed. Default false: their key is released. */
    public IdempotencyFilterBuilder storeServerErrors(boolean store) {
        this.storeServerErrors = store;
        return this;
    }

    /** What happens when the store is down. Default {@link StoreUnavailablePolicy#FAIL_CLOSED} (503). */
    public IdempotencyFilterBuilder storeUnavailablePolicy(StoreUnavailablePolicy policy) {
        this.storeUnavailablePolicy = Objects.requireNonNull(policy, "storeUnavailablePolicy");
        return this;
    }

    /** Publish dedup's metrics (namespace-tagged) to this Micrometer {@code MeterRegistry}. */
    public IdempotencyFilterBuilder meterRegistry(Object meterRegistry) {
        this.meterRegistry = Objects.requireNonNull(meterRegistry, "meterRegistry");
        return this;
    }

    /**
     * @throws IllegalArgumentException if the lease is longer than the retention, or meterRegistry is not a
     *     Micrometer {@code MeterRegistry}
     */
    public IdempotencyFilter build() {
        if (lease.compareTo(retention) > 0) {
            throw new IllegalArgumentException(
                    "lease (" + lease + ") must not be longer than retention (" + retention + ")");
        }
        IdempotencyConfig config = new IdempotencyConfig(
                methods,
                pathPatterns,
                namespace,
                retention,
                lease,
                inFlightWait,
                maxKeyLength,
                maxRequestBodyBytes,
                maxStoredBodyBytes,
                storedHeaders,
                fingerprintHeaders,
                storeServerErrors,
                storeUnavailablePolicy);
        DedupConsumer.Builder<Exchange> consumer = DedupConsumer.<Exchange>builder(
                        exchange -> Optional.of(exchange.key().qualified()))
                .store(store)
                .namespace(namespace)
                .retention(retention)
                .lease(lease)
                .fingerprint(Exchange::fingerprint)
                .failurePolicy(FailurePolicy.RELEASE)
                .storeUnavailablePolicy(storeUnavailablePolicy)
                .messageDescriber(Exchange::describe);
        if (meterRegistry != null) {
            consumer.meterRegistry(meterRegistry).metricTag("transport", "http");
        }
        return new IdempotencyFilter(config, clientIdResolver, consumer.build());
    }

    private static Set<String> lowerCase(List<String> names, String parameter) {
        List<String> lower = new ArrayList<>(names.size());
        for (String name : names) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException(parameter + " must not contain null or blank names");
            }
            lower.add(name.strip().toLowerCase(Locale.ROOT));
        }
        return new LinkedHashSet<>(lower);
    }
}
