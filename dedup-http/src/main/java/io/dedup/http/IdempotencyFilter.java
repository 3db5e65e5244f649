package io.dedup.http;

import io.dedup.DedupConsumer;
import io.dedup.DedupResult;
import io.dedup.IdempotencyKeyException;
import io.dedup.http.internal.Exchange;
import io.dedup.http.internal.Problems.Answer;
import io.dedup.http.internal.RequestAdmission;
import io.dedup.http.internal.ResponseNotStored;
import io.dedup.http.internal.ResponseRecorder;
import io.dedup.http.internal.ResponseReplay;
import io.dedup.spi.DedupStore;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Jakarta Servlet filter that makes unsafe requests idempotent with the {@code Idempotency-Key} header, following
 * the IETF httpapi draft "The Idempotency-Key HTTP Header Field", on a dedup store.
 *
 * <p>For each request whose method and path are configured (POST and PATCH everywhere by default):
 *
 * <ul>
 *   <li>no key, or a malformed one: 400;
 *   <li>the key was used (by the same client) for a different request — method, path, body or chosen headers: 422;
 *   <li>the key's first request is still running: 409, or with {@link IdempotencyFilterBuilder#inFlightWait(Duration)} a bounded wait
 *       for it, then its replay;
 *   <li>the key's first request completed within the retention: its stored response (status, chosen headers, body,
 *       byte for byte) with {@code Idempotent-Replayed: true}; the application does not run;
 *   <li>otherwise the request runs once under a claim on the key, and its response is stored. A 5xx response is not
 *       stored and its key is released (a retry runs again), unless {@link IdempotencyFilterBuilder#storeServerErrors(boolean)}; nor
 *       is a response made with {@code sendError}, whose body the container renders. A body larger than {@link
 *       IdempotencyFilterBuilder#maxStoredBodyBytes(int)} is sent but not stored: the key still completes (the request must not run
 *       twice) and its replays carry the status and headers only, with {@code Idempotent-Body-Not-Stored: true};
 *   <li>the store is down: 503 (fail-closed, the default) or the request runs unguarded (fail-open).
 * </ul>
 *
 * Its own answers are {@code application/problem+json} with types {@code urn:dedup:http:*}. Keys are scoped per
 * client by a {@link ClientIdResolver}; the running request finds its key in the request attribute {@link
 * #KEY_ATTRIBUTE} and its fencing token in {@link io.dedup.Claim#current()}.
 *
 * <pre>{@code
 * IdempotencyFilter filter = IdempotencyFilter.builder(store)       // the store your consumers use
 *         .clientIdResolver(ClientIdResolver.principal())
 *         .pathPatterns("/payments/*")
 *         .build();
 * servletContext.addFilter("idempotency", filter).addMappingForUrlPatterns(null, false, "/*");
 * }</pre>
 *
 * <p>Register it without async support: the request body is read before the application runs (to digest it) and
 * the response is held until it is complete (to store it), so non-blocking I/O and {@code startAsync} are refused.
 *
 * <p>Thread-safe. {@link #destroy()} (or {@link #close()}) stops its lease renewal; the store stays open, it is the
 * application's.
 */
public final class IdempotencyFilter implements Filter, AutoCloseable {
    /** The request header carrying the key. */
    public static final String KEY_HEADER = "Idempotency-Key";
    /** Set to {@code true} on every replayed response. */
    public static final String REPLAYED_HEADER = "Idempotent-Replayed";
    /** Set to {@code true} on a response whose body was too large to store, and on its replays. */
    public static final String BODY_NOT_STORED_HEADER = "Idempotent-Body-Not-Stored";
    /** The request attribute holding the running request's {@link IdempotencyKey}. */
    public static final String KEY_ATTRIBUTE = IdempotencyKey.class.getName();

    /** POST and PATCH: the methods the draft names as neither safe nor idempotent. */
    public static final Set<String> DEFAULT_METHODS = Set.of("POST", "PATCH");
    /** The namespace of HTTP keys in the store. */
    public static final String DEFAULT_NAMESPACE = "http";
    /** 255 characters. */
    public static final int DEFAULT_MAX_KEY_LENGTH = 255;
    /** 1 MiB. */
    public static final int DEFAULT_MAX_REQUEST_BODY_BYTES = 1 << 20;
    /** 1 MiB. */
    public static final int DEFAULT_MAX_STORED_BODY_BYTES = 1 << 20;
    /** The representation headers and those that point at what the request created. */
    public static final List<String> DEFAULT_STORED_HEADERS = List.of(
            "Content-Type",
            "Content-Encoding",
            "Content-Language",
            "Location",
            "Content-Location",
            "ETag",
            "Last-Modified",
            "Cache-Control");

    private static final Logger LOG = LoggerFactory.getLogger(IdempotencyFilter.class);
    /** First pause of an in-flight wait: most requests finish within milliseconds. */
    private static final long FIRST_POLL_MILLIS = 10;
    /** Longest pause between two looks at a key in flight: each look is a store round trip. */
    private static final long LONGEST_POLL_MILLIS = 200;

    private final IdempotencyConfig config;
    private final RequestAdmission admission;
    private final ResponseRecorder recorder;
    private final ResponseReplay replay;
    private final DedupConsumer<Exchange> dedup;
    private final StoredResponseCodec codec;

    IdempotencyFilter(IdempotencyConfig config, ClientIdResolver clientIdResolver, DedupConsumer<Exchange> dedup) {
        this.config = config;
        this.recorder = new ResponseRecorder(config);
        this.admission = new RequestAdmission(config, clientIdResolver, recorder);
        this.codec = new StoredResponseCodec();
        this.replay = new ResponseReplay(codec);
        this.dedup = dedup;
    }

    /**
     * A builder for a filter on {@code store}; pass the instance your message consumers use, so an API call and the
     * message it publishes can share the key.
     */
    public static IdempotencyFilterBuilder builder(DedupStore store) {
        return new IdempotencyFilterBuilder(Objects.requireNonNull(store, "store"));
    }

    /** The settings this filter runs with. */
    public IdempotencyConfig config() {
        return config;
    }

    /**
     * Passes requests that are not guarded straight on; answers a guarded one itself (refusal, 409, 422, 503 or a
     * replay) or runs it once under a claim on its key.
     *
     * @throws IOException if the application threw one (unchanged, after its key was released) or the answer cannot
     *     be written
     * @throws ServletException if the application threw one, or another checked exception (wrapped); or the thread
     *     was interrupted during an in-flight wait
     */
    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        if (!(req instanceof HttpServletRequest request) || !(res instanceof HttpServletResponse response)) {
            chain.doFilter(req, res);
            return;
        }
        if (!admission.guards(request)) {
            chain.doFilter(req, res);
            return;
        }
        Optional<Exchange> admitted = admission.admit(request, response, chain);
        if (admitted.isPresent()) {
            Exchange exchange = admitted.get();
            answer(exchange, dedup.process(exchange, recorder::run, codec, true));
        }
    }

    /**
     * Turns core's result into the HTTP answer. A request that ran is only now sent to the client ({@code
     * commit()}): core has recorded its completion by then, so a client never holds a response whose key a retry
     * would still find free.
     */
    private void answer(Exchange exchange, DedupResult<StoredResponse> result) throws IOException, ServletException {
        HttpServletResponse response = exchange.response();
        long deadline = System.nanoTime() + config.inFlightWait().toNanos();
        long poll = FIRST_POLL_MILLIS;
        while (result instanceof DedupResult.InProgress<StoredResponse>
                && !config.inFlightWait().isZero()
                && System.nanoTime() < deadline) {
            pause(Math.min(poll, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
            poll = Math.min(poll * 2, LONGEST_POLL_MILLIS);
            result = dedup.process(exchange, recorder::run, codec, true);
        }
        if (result instanceof DedupResult.Processed<StoredResponse>) {
            exchange.capture().commit();
        } else if (result instanceof DedupResult.Duplicate<StoredResponse> duplicate) {
            replay.replay(exchange, duplicate);
        } else if (result instanceof DedupResult.InProgress<StoredResponse>) {
            // never run a second time beside the first: its holder may still complete it
            Answer.IN_PROGRESS.send(response);
        } else if (result instanceof DedupResult.Conflict<StoredResponse>) {
            Answer.KEY_REUSED.send(response);
        } else if (result instanceof DedupResult.Failed<StoredResponse> failed) {
            if (failed.error() instanceof ResponseNotStored) {
                exchange.capture().commit(); // the key was released; the client gets the response as it was
            } else {
                rethrow(failed.error());
            }
        } else if (result instanceof DedupResult.Fenced<StoredResponse>) {
            // the request ran, so hiding its response helps nobody; the new holder's outcome is the stored one
            LOG.warn(
                    "{} ran past its lease and was taken over; its response is sent but not stored",
                    exchange.describe());
            exchange.capture().commit();
        } else if (result instanceof DedupResult.Unguarded<StoredResponse>) {
            exchange.capture().commit(); // fail-open: core logged and counted the unguarded run
        } else if (result instanceof DedupResult.Unavailable<StoredResponse> unavailable) {
            if (unavailable.handlerRan()) {
                // The request ran; its completion is retried in the background. Hiding its response would only
                // invite a retry that runs it again once the lease lapses.
                LOG.warn(
                        "{} ran but the store did not record it ({}); its response is sent",
                        exchange.describe(),
                        unavailable.cause().toString());
                exchange.capture().commit();
            } else {
                Answer.STORE_UNAVAILABLE.send(response);
            }
        } else if (result instanceof DedupResult.Rejected<StoredResponse> rejected) {
            if (rejected.reason() instanceof IdempotencyKeyException) {
                Answer.KEY_UNUSABLE.send(response);
            } else {
                LOG.error("the stored record of {} is unreadable", exchange.describe(), rejected.reason());
                Answer.STORED_RESPONSE_UNREADABLE.send(response);
            }
        }
    }

    /** The application's own exception, unchanged, so the container's error handling sees what it would without us. */
    private static void rethrow(Exception error) throws IOException, ServletException {
        if (error instanceof IOException io) {
            throw io;
        }
        if (error instanceof ServletException servlet) {
            throw servlet;
        }
        if (error instanceof RuntimeException runtime) {
            throw runtime;
        }
        throw new ServletException(error);
    }

    private static void pause(long millis) throws ServletException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ServletException("interrupted while waiting for an in-flight request with the same key", e);
        }
    }

    /** Stops lease renewal. The store is not closed. */
    @Override
    public void destroy() {
        dedup.close();
    }

    /** Same as {@link #destroy()}. */
    @Override
    public void close() {
        destroy();
    }
}
