package io.dedup.http;

import io.dedup.DedupConsumer;
import io.dedup.DedupConsumerBuilder;
import io.dedup.DedupSettings;
import io.dedup.FailurePolicy;
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
    private DedupSettings settings = DedupSettings.ofDefaults();
    private Duration inFlightWait = Duration.ZERO;
    private int maxKeyLength = IdempotencyFilter.DEFAULT_MAX_KEY_LENGTH;
    private int maxRequestBodyBytes = IdempotencyFilter.DEFAULT_MAX_REQUEST_BODY_BYTES;
    private int maxStoredBodyBytes = IdempotencyFilter.DEFAULT_MAX_STORED_BODY_BYTES;
    private Set<String> storedHeaders = lowerCase(IdempotencyFilter.DEFAULT_STORED_HEADERS, "storedHeaders");
    private List<String> fingerprintHeaders = List.of();
    private boolean storeServerErrors;
    private Object meterRegistry;

    IdempotencyFilterBuilder(DedupStore store) {
        this.store = store;
    }

    /**
     * The methods that require a key, case-insensitive. Default POST and PATCH. Requests with other methods pass
     * through untouched, with or without a key.
     *
     * @throws IllegalArgumentException if none is given, or one is null or blank
     */
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
     *
     * @throws IllegalArgumentException if none is given or a pattern is of another form, quoting it
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

    /**
     * Who the client is, to scope keys per client. Default {@link ClientIdResolver#principal()}.
     *
     * @throws NullPointerException if {@code resolver} is null
     */
    public IdempotencyFilterBuilder clientIdResolver(ClientIdResolver resolver) {
        this.clientIdResolver = Objects.requireNonNull(resolver, "clientIdResolver");
        return this;
    }

    /**
     * The store namespace of the filter's keys. Default {@value IdempotencyFilter#DEFAULT_NAMESPACE}. Give two
     * filters on one store different namespaces when their clients' keys must not meet.
     *
     * @throws IllegalArgumentException if it is empty or longer than {@link io.dedup.DedupKey#MAX_NAMESPACE_LENGTH}
     */
    public IdempotencyFilterBuilder namespace(String namespace) {
        Objects.requireNonNull(namespace, "namespace");
        if (namespace.isEmpty() || namespace.length() > io.dedup.DedupKey.MAX_NAMESPACE_LENGTH) {
            throw new IllegalArgumentException(
                    "namespace must be 1 to " + io.dedup.DedupKey.MAX_NAMESPACE_LENGTH + " characters");
        }
        this.namespace = namespace;
        return this;
    }

    /**
     * The settings the filter shares with dedup's other front ends. Default {@link DedupSettings#ofDefaults()}. For
     * the filter, {@linkplain DedupSettings#retention() retention} is how long completed responses are replayed;
     * the {@linkplain DedupSettings#lease() lease} is how long a running request holds its key without renewal (it
     * is renewed while the request runs, so a server that dies mid-request frees the key after at most this long);
     * the {@linkplain DedupSettings#storeUnavailablePolicy() store-unavailable policy} answers 503 while the store is
     * down ({@code FAIL_CLOSED}, the request does not run) or runs the request unguarded ({@code FAIL_OPEN}, so a
     * retry during the outage runs it again). The {@linkplain DedupSettings#failurePolicy() failure policy} is not
     * taken from here: a request that throws always releases its key, so the client's retry runs it again.
     *
     * @throws NullPointerException if {@code settings} is null
     */
    public IdempotencyFilterBuilder settings(DedupSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        return this;
    }

    /**
     * How long a request whose key is running elsewhere waits for that run and replays its response; zero (the
     * default) answers 409 at once. The wait holds a server thread: keep it short.
     *
     * @throws IllegalArgumentException if it is negative
     */
    public IdempotencyFilterBuilder inFlightWait(Duration wait) {
        this.inFlightWait = Checks.notNegative(wait, "inFlightWait");
        return this;
    }

    /**
     * The longest key accepted, 1 to 4096 characters. Default 255. Longer keys are answered with 400.
     *
     * @throws IllegalArgumentException if it is outside 1 to 4096
     */
    public IdempotencyFilterBuilder maxKeyLength(int length) {
        if (length < 1 || length > 4096) {
            throw new IllegalArgumentException("maxKeyLength must be 1 to 4096, got " + length);
        }
        this.maxKeyLength = length;
        return this;
    }

    /**
     * The largest request body read to digest it; larger requests get 413. Default 1 MiB. The whole body is held in
     * memory while the request runs, so this bounds the filter's memory per request.
     *
     * @throws IllegalArgumentException if it is negative or {@link Integer#MAX_VALUE}
     */
    public IdempotencyFilterBuilder maxRequestBodyBytes(int bytes) {
        if (bytes < 0 || bytes == Integer.MAX_VALUE) {
            throw new IllegalArgumentException(
                    "maxRequestBodyBytes must be 0 to " + (Integer.MAX_VALUE - 1) + ", got " + bytes);
        }
        this.maxRequestBodyBytes = bytes;
        return this;
    }

    /**
     * The largest response body stored for replay; larger ones are sent but not stored (their key still completes,
     * and replays carry status and headers only). Default 1 MiB. Zero stores no body at all.
     *
     * @throws IllegalArgumentException if it is negative
     */
    public IdempotencyFilterBuilder maxStoredBodyBytes(int bytes) {
        this.maxStoredBodyBytes = Checks.notNegative(bytes, "maxStoredBodyBytes");
        return this;
    }

    /**
     * The response headers kept for replay (case-insensitive). Default {@link IdempotencyFilter#DEFAULT_STORED_HEADERS}.
     * Keep per-response headers such as {@code Date} or {@code Set-Cookie} out: a replay would send stale ones.
     *
     * @throws IllegalArgumentException if a name is null or blank
     */
    public IdempotencyFilterBuilder storedHeaders(String... names) {
        Objects.requireNonNull(names, "storedHeaders");
        this.storedHeaders = lowerCase(java.util.Arrays.asList(names), "storedHeaders");
        return this;
    }

    /**
     * Request headers that belong to the fingerprint besides method, path and body, case-insensitive. Default none.
     * A key reused with another value of such a header is a conflict (422).
     *
     * @throws IllegalArgumentException if a name is null or blank
     */
    public IdempotencyFilterBuilder fingerprintHeaders(String... names) {
        Objects.requireNonNull(names, "fingerprintHeaders");
        this.fingerprintHeaders = List.copyOf(lowerCase(java.util.Arrays.asList(names), "fingerprintHeaders"));
        return this;
    }

    /**
     * Whether 5xx responses are stored and replayed. Default false: their key is released, so a client's retry runs
     * the request again, which is what a retry after a server error usually wants.
     */
    public IdempotencyFilterBuilder storeServerErrors(boolean store) {
        this.storeServerErrors = store;
        return this;
    }

    /**
     * Publish dedup's metrics (namespace-tagged, with {@code transport=http}) to this Micrometer {@code
     * MeterRegistry}. Typed {@code Object} so that Micrometer stays an optional dependency; checked at {@link #build}.
     */
    public IdempotencyFilterBuilder meterRegistry(Object meterRegistry) {
        this.meterRegistry = Objects.requireNonNull(meterRegistry, "meterRegistry");
        return this;
    }

    /**
     * The filter, with a dedup consumer of its own on the store; each call builds a new one.
     *
     * @throws IllegalArgumentException if meterRegistry is not a Micrometer {@code MeterRegistry}
     */
    public IdempotencyFilter build() {
        IdempotencyConfig config = new IdempotencyConfig(
                methods,
                pathPatterns,
                namespace,
                settings,
                inFlightWait,
                maxKeyLength,
                maxRequestBodyBytes,
                maxStoredBodyBytes,
                storedHeaders,
                fingerprintHeaders,
                storeServerErrors);
        DedupConsumerBuilder<Exchange> consumer = DedupConsumer.<Exchange>builder(
                        exchange -> Optional.of(exchange.key().qualified()))
                .store(store)
                .namespace(namespace)
                // a request that threw is not an outcome to replay: the client's retry must run it again
                .settings(DedupSettings.from(settings)
                        .failurePolicy(FailurePolicy.RELEASE)
                        .build())
                .fingerprint(Exchange::fingerprint)
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
