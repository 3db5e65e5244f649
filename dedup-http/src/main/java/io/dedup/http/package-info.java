/**
 * HTTP idempotency with the {@code Idempotency-Key} request header (IETF httpapi draft "The Idempotency-Key HTTP
 * Header Field"), as a Jakarta Servlet 6 filter on dedup's stores: {@link io.dedup.http.IdempotencyFilter}.
 *
 * <p>The filter claims each keyed request through {@link io.dedup.DedupConsumer}, so the store it uses can be the
 * very store instance that guards the application's message consumers.
 *
 * <p>This package holds what an application calls or implements: the filter and its {@link
 * io.dedup.http.IdempotencyFilterBuilder builder}, the validated {@link io.dedup.http.IdempotencyConfig}, the {@link
 * io.dedup.http.ClientIdResolver} that scopes keys per client, the {@link io.dedup.http.IdempotencyKey} a running
 * request can read, and the {@link io.dedup.http.StoredResponse} format with its {@link
 * io.dedup.http.StoredResponseCodec codec} (for tools that read stored outcomes). How a request is admitted, recorded
 * and replayed lives in {@code io.dedup.http.internal}.
 *
 * <p>All parameters and return values are non-null unless documented otherwise.
 */
package io.dedup.http;
