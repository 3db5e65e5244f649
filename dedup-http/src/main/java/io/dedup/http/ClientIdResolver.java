package io.dedup.http;

import jakarta.servlet.http.HttpServletRequest;
import java.security.Principal;

/**
 * Says which client sent a request, so that idempotency keys are scoped per client: two clients that happen to send
 * the same {@code Idempotency-Key} never see each other's responses. Implementations must be thread-safe and fast
 * (they run on every keyed request).
 *
 * <p>Return the authenticated principal, an API-key id or a tenant id; never a value the client can choose freely
 * for someone else's account.
 */
@FunctionalInterface
public interface ClientIdResolver {
    /**
     * The client's id; null or empty puts the request in the shared anonymous scope.
     *
     * @throws RuntimeException if the client cannot be told; the filter then answers 500 without running the request
     */
    String clientId(HttpServletRequest request);

    /** The authenticated principal's name ({@link HttpServletRequest#getUserPrincipal()}), or the anonymous scope. */
    static ClientIdResolver principal() {
        return request -> {
            Principal principal = request.getUserPrincipal();
            return principal == null ? null : principal.getName();
        };
    }

    /**
     * The value of a request header set by a trusted gateway (e.g. {@code X-Tenant-Id}), or the anonymous scope. Only
     * safe when the gateway strips the header from what clients send.
     *
     * @throws IllegalArgumentException if {@code name} is blank
     */
    static ClientIdResolver header(String name) {
        java.util.Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank");
        }
        return request -> request.getHeader(name);
    }

    /** Every request in one scope: for APIs with a single client, or keys that are globally unique already. */
    static ClientIdResolver anonymous() {
        return request -> null;
    }
}
