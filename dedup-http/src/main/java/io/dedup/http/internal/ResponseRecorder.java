package io.dedup.http.internal;

import io.dedup.http.IdempotencyConfig;
import io.dedup.http.IdempotencyFilter;
import io.dedup.http.StoredResponse;
import jakarta.servlet.http.HttpServletResponse;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an admitted request under its claim and records its response: the handler the filter gives core. The body is
 * held back by a {@link CapturingResponse} so that it can be stored before the client sees it; the filter sends it
 * ({@link CapturingResponse#commit()}) only after core recorded the outcome, so a client never holds a response
 * that a retry could contradict.
 *
 * <p>What is not stored: a 5xx (unless configured) and a {@code sendError} response end in {@link ResponseNotStored},
 * which releases the key. A body over the bound is sent but not stored: the key still completes, because the request
 * ran and must not run again.
 *
 * <p>Thread-safe and stateless beyond its configuration.
 */
public final class ResponseRecorder {
    private static final Logger LOG = LoggerFactory.getLogger(ResponseRecorder.class);

    private final IdempotencyConfig config;

    public ResponseRecorder(IdempotencyConfig config) {
        this.config = config;
    }

    /**
     * Runs the rest of the filter chain for {@code exchange} and returns the response to store.
     *
     * @throws ResponseNotStored if the response must be sent but not stored (its key is released)
     * @throws IllegalStateException if the application started async processing, which the filter cannot capture
     * @throws Exception whatever the application threw
     */
    public StoredResponse run(Exchange exchange) throws Exception {
        CapturingResponse capture = exchange.capture();
        exchange.request().setAttribute(IdempotencyFilter.KEY_ATTRIBUTE, exchange.key());
        exchange.chain().doFilter(exchange.request(), capture);
        if (exchange.request().isAsyncStarted()) {
            throw new IllegalStateException("the application started async processing for " + exchange.describe()
                    + "; IdempotencyFilter must be registered without async support");
        }
        capture.finish();
        if (capture.errorSent()) {
            throw new ResponseNotStored("the application answered with sendError");
        }
        int status = capture.getStatus();
        if (status >= 500 && !config.storeServerErrors()) {
            throw new ResponseNotStored("status " + status);
        }
        Map<String, List<String>> headers = storedHeaders(exchange.response(), config.storedHeaders());
        return capture.overflowed()
                ? StoredResponse.withoutBody(status, headers)
                : StoredResponse.of(status, headers, capture.body());
    }

    /**
     * The headers to store: those named in {@code lowerCaseNames} as the real response has them. {@code
     * Content-Type} is read with {@code getContentType()}, which includes a charset the writer fixed, so a replay
     * decodes the body as the first client did.
     */
    private static Map<String, List<String>> storedHeaders(HttpServletResponse response, Set<String> lowerCaseNames) {
        Map<String, List<String>> kept = new LinkedHashMap<>();
        String contentType = response.getContentType();
        if (contentType != null && lowerCaseNames.contains("content-type")) {
            kept.put("Content-Type", List.of(contentType));
        }
        Collection<String> names = response.getHeaderNames();
        for (String name : names) {
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.equals("content-type") || !lowerCaseNames.contains(lower) || kept.containsKey(name)) {
                continue;
            }
            List<String> values = new ArrayList<>(response.getHeaders(name));
            if (!values.isEmpty()) {
                kept.put(name, values);
            }
        }
        return kept;
    }

    /**
     * The response a request's application will write to if it runs, holding its body back up to the configured
     * bound.
     *
     * @param describe names the request in the warning logged when the body outgrows the bound
     */
    CapturingResponse capture(HttpServletResponse response, String describe) {
        return new CapturingResponse(response, config.maxStoredBodyBytes(), () -> overflowed(response, describe));
    }

    /** The body outgrew the bound: still uncommitted, so the header that says so reaches this client too. */
    private void overflowed(HttpServletResponse response, String describe) {
        response.setHeader(IdempotencyFilter.BODY_NOT_STORED_HEADER, "true");
        LOG.warn(
                "response to {} is larger than maxStoredBodyBytes ({} bytes): it is sent but not stored; "
                        + "its key completes, and retries get its status and headers without the body",
                describe,
                config.maxStoredBodyBytes());
    }
}
