package io.dedup.http;

import java.util.Objects;

/**
 * The idempotency key of the request being run, scoped to its client. The filter puts it in the request attribute
 * {@link IdempotencyFilter#KEY_ATTRIBUTE} before running the request, so the application can pass it on, e.g. as the
 * key of the message the request publishes ({@link #qualified()}).
 *
 * <p>Immutable and thread-safe.
 *
 * @param clientId the client's id as {@link ClientIdResolver} told it; empty for the anonymous scope
 * @param value the {@code Idempotency-Key} header's value, unquoted
 */
public record IdempotencyKey(String clientId, String value) {
    /**
     * @throws NullPointerException if either part is null
     * @throws IllegalArgumentException if {@code value} is empty
     */
    public IdempotencyKey {
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(value, "value");
        if (value.isEmpty()) {
            throw new IllegalArgumentException("value must not be empty");
        }
    }

    /**
     * The key with its client, unambiguous whatever characters either part holds ({@code <length of
     * clientId>:<clientId>:<value>}): the id the filter claims in the store, and the one to reuse downstream.
     */
    public String qualified() {
        return clientId.length() + ":" + clientId + ":" + value;
    }
}
