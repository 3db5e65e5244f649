/**
 * HTTP idempotency with the {@code Idempotency-Key} request header (IETF httpapi draft "The Idempotency-Key HTTP
 * Header Field"), as a Jakarta Servlet 6 filter on dedup's stores: {@link io.dedup.http.IdempotencyFilter}.
 *
 * <p>The filter claims each keyed request through {@link io.dedup.DedupConsumer}, so the store it uses can be the
 * very store instance that guards the application's message consumers.
 */
package io.dedup.http;
