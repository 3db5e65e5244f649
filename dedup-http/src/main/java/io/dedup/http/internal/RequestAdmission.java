package io.dedup.http.internal;

import io.dedup.http.ClientIdResolver;
import io.dedup.http.IdempotencyConfig;
import io.dedup.http.IdempotencyFilter;
import io.dedup.http.IdempotencyKey;
import jakarta.servlet.FilterChain;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides what the filter does with a request before any claim: pass it through (its method or path is not guarded),
 * refuse it with a problem (no key or a malformed one: 400; the client cannot be told: 500; a body over the bound:
 * 413), or admit it as an {@link Exchange} with its client-scoped key and fingerprint. Nothing here touches the
 * store, so a refused request costs no round trip.
 *
 * <p>The request body is read here, in full and bounded, because the fingerprint must cover it before the
 * application may run; the application then reads the buffered copy.
 *
 * <p>Thread-safe: its state is the immutable configuration.
 */
public final class RequestAdmission {
    private static final Logger LOG = LoggerFactory.getLogger(RequestAdmission.class);

    private final IdempotencyConfig config;
    private final ClientIdResolver clientIdResolver;
    private final PathPatterns paths;
    private final ResponseRecorder recorder;

    /** @param recorder makes the response capture of each admitted request */
    public RequestAdmission(IdempotencyConfig config, ClientIdResolver clientIdResolver, ResponseRecorder recorder) {
        this.config = config;
        this.clientIdResolver = clientIdResolver;
        this.paths = PathPatterns.of(config.pathPatterns(), "pathPatterns");
        this.recorder = recorder;
    }

    /** Whether {@code request} must carry a key: its method and its path (without the context path) are guarded. */
    public boolean guards(HttpServletRequest request) {
        return config.methods().contains(request.getMethod()) && paths.matches(pathOf(request));
    }

    /**
     * The guarded {@code request} as an exchange to run under a claim, or empty when it was refused: then the problem
     * has been sent on {@code response} already.
     *
     * @throws IOException if the request body cannot be read or the problem cannot be written
     */
    public Optional<Exchange> admit(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException {
        String path = pathOf(request);
        String header = request.getHeader(IdempotencyFilter.KEY_HEADER);
        if (header == null || header.isBlank()) {
            refuseUnread(
                    response,
                    400,
                    "idempotency-key-missing",
                    "Idempotency-Key is missing",
                    request.getMethod() + " " + path + " requires an Idempotency-Key header");
            return Optional.empty();
        }
        Optional<String> key = KeyHeader.parse(header);
        if (key.isEmpty() || key.get().length() > config.maxKeyLength()) {
            refuseUnread(
                    response,
                    400,
                    "idempotency-key-invalid",
                    "Idempotency-Key is invalid",
                    "the Idempotency-Key must be a string of 1 to " + config.maxKeyLength()
                            + " visible ASCII characters");
            return Optional.empty();
        }
        String clientId;
        try {
            clientId = Objects.requireNonNullElse(clientIdResolver.clientId(request), "");
        } catch (RuntimeException e) {
            // not the client's fault, and running the request unscoped could replay another client's response
            LOG.error("the ClientIdResolver failed for {} {}; answering 500", request.getMethod(), path, e);
            closeAfterAnswer(response);
            Problems.Answer.CLIENT_UNKNOWN.send(response);
            return Optional.empty();
        }
        // a declared length over the bound is refused unread; an undeclared one is read up to one byte past it
        long declared = request.getContentLengthLong();
        byte[] body = declared > config.maxRequestBodyBytes() ? null : readBody(request);
        if (body == null) {
            refuseUnread(
                    response,
                    413,
                    "request-too-large",
                    "Request body too large",
                    "requests with an Idempotency-Key may carry at most " + config.maxRequestBodyBytes() + " bytes");
            return Optional.empty();
        }
        return Optional.of(new Exchange(
                new BufferedRequest(request, body),
                response,
                recorder.capture(response, request.getMethod() + " " + path),
                chain,
                path,
                new IdempotencyKey(clientId, key.get()),
                RequestFingerprint.of(request, path, body, config.fingerprintHeaders())));
    }

    /** Answers {@code response} with a problem, on a request whose body has not been read (in full). */
    private static void refuseUnread(HttpServletResponse response, int status, String type, String title, String detail)
            throws IOException {
        closeAfterAnswer(response);
        Problems.send(response, status, type, title, detail);
    }

    /**
     * Asks for the connection to be closed after the answer. Once the body is left unread, Jetty drops the connection
     * after the answer when it cannot drain the rest at once; without "close" a client may send its next request on
     * that connection meanwhile, and that request fails (RFC 9112 §9.6).
     */
    private static void closeAfterAnswer(HttpServletResponse response) {
        response.setHeader("Connection", "close");
    }

    /** The body, or null when it is longer than the bound. */
    private byte[] readBody(HttpServletRequest request) throws IOException {
        int limit = config.maxRequestBodyBytes();
        try (InputStream in = request.getInputStream()) {
            byte[] body = in.readNBytes(limit + 1);
            return body.length > limit ? null : body;
        }
    }

    private static String pathOf(HttpServletRequest request) {
        String uri = request.getRequestURI();
        String context = request.getContextPath();
        return context != null && !context.isEmpty() && uri.startsWith(context) ? uri.substring(context.length()) : uri;
    }
}
