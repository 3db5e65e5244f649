package io.dedup.http.internal;

import io.dedup.http.IdempotencyKey;
import jakarta.servlet.FilterChain;
import jakarta.servlet.http.HttpServletResponse;

/**
 * One admitted request on its way through core: the message type of the filter's {@link io.dedup.DedupConsumer}.
 * It carries what the claim needs (the client-scoped key and the request fingerprint) and what running and answering
 * the request need (the buffered request, the real response, the rest of the filter chain, and, once the request
 * runs, the response capture).
 *
 * <p>Not thread-safe: confined to the thread serving the request.
 */
public final class Exchange {
    private final BufferedRequest request;
    private final HttpServletResponse response;
    private final FilterChain chain;
    private final String path;
    private final IdempotencyKey key;
    private final byte[] fingerprint;
    private CapturingResponse capture;

    /**
     * @param path the request URI without the context path
     * @param fingerprint the digest that tells a reused key from a retried request ({@link RequestFingerprint})
     */
    public Exchange(
            BufferedRequest request,
            HttpServletResponse response,
            FilterChain chain,
            String path,
            IdempotencyKey key,
            byte[] fingerprint) {
        this.request = request;
        this.response = response;
        this.chain = chain;
        this.path = path;
        this.key = key;
        this.fingerprint = fingerprint;
    }

    /** The request as the application sees it: its body served again from the buffer the filter read. */
    public BufferedRequest request() {
        return request;
    }

    /** The container's response: what the client gets, whether the request ran, was replayed or refused. */
    public HttpServletResponse response() {
        return response;
    }

    /** The rest of the filter chain, ending in the application. */
    public FilterChain chain() {
        return chain;
    }

    /** The key with its client scope: what core claims, qualified, in the filter's namespace. */
    public IdempotencyKey key() {
        return key;
    }

    /** Compared by core with the fingerprint stored for the key: a different one is a conflict (422). */
    public byte[] fingerprint() {
        return fingerprint;
    }

    /** The capture of the run's response; null until the request ran under a claim. */
    public CapturingResponse capture() {
        return capture;
    }

    void capture(CapturingResponse capture) {
        this.capture = capture;
    }

    /** Names the request in logs: method and path, never the key or the body. */
    public String describe() {
        return request.getMethod() + " " + path;
    }
}
