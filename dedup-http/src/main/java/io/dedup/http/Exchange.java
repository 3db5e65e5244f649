package io.dedup.http;

import io.dedup.http.internal.BufferedRequest;
import io.dedup.http.internal.CapturingResponse;
import jakarta.servlet.FilterChain;
import jakarta.servlet.http.HttpServletResponse;

/** One keyed request on its way through core: the message type of the filter's {@link io.dedup.DedupConsumer}. */
final class Exchange {
    final BufferedRequest request;
    final HttpServletResponse response;
    final FilterChain chain;
    final String path;
    final IdempotencyKey key;
    final byte[] fingerprint;
    CapturingResponse capture;

    Exchange(
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

    String describe() {
        return request.getMethod() + " " + path;
    }
}
