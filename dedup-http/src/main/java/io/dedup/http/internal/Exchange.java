package io.dedup.http.internal;

import io.dedup.http.IdempotencyKey;
import jakarta.servlet.FilterChain;
import jakarta.servlet.http.HttpServletResponse;

/**
 * One admitted request on its way through core: the message type of the filter's {@link io.dedup.DedupConsumer}.
 * It carries what the claim needs (the client-scoped key and the request fingerprint) and what running and answering
 * the request need.
 *
 * <p>Not thread-safe: its request and responses are confined to the thread serving the request.
 *
 * @param request the request as the application sees it: its body served again from the buffer the filter read
 * @param response the container's response: what the client gets, whether the request ran, was replayed or refused
 * @param capture the response the application writes to if the request runs: held back until core recorded it
 * @param chain the rest of the filter chain, ending in the application
 * @param path the request URI without the context path
 * @param key the key with its client scope: what core claims, qualified, in the filter's namespace
 * @param fingerprint compared by core with the one stored for the key: a different one is a conflict (422)
 */
public record Exchange(
        BufferedRequest request,
        HttpServletResponse response,
        CapturingResponse capture,
        FilterChain chain,
        String path,
        IdempotencyKey key,
        byte[] fingerprint) {
    /** Names the request in logs: method and path, never the key or the body. */
    public String describe() {
        return request.getMethod() + " " + path;
    }
}
