/**
 * How {@link io.dedup.http.IdempotencyFilter} works; not API, and free to change between releases. Some types are
 * public only because the filter, in the API package, builds them.
 *
 * <p>A keyed request passes three stages, one class each:
 *
 * <ol>
 *   <li>{@link io.dedup.http.internal.RequestAdmission}: guarded or not, key present and well-formed, client told,
 *       body within bounds, then buffered ({@link io.dedup.http.internal.BufferedRequest}) and fingerprinted ({@link
 *       io.dedup.http.internal.RequestFingerprint}). No store round trip until a request passes.
 *   <li>{@link io.dedup.http.internal.ResponseRecorder}: runs the application under the claim core took, holding the
 *       response body back ({@link io.dedup.http.internal.CapturingResponse}) until core recorded the outcome.
 *   <li>{@link io.dedup.http.internal.ResponseReplay}: answers a completed key's duplicates from the store.
 * </ol>
 *
 * <p>Every answer the filter gives itself is a problem document ({@link io.dedup.http.internal.Problems}). Claims,
 * completions, releases and lease renewal all go through core's {@code DedupConsumer}: nothing here writes to the
 * store.
 */
package io.dedup.http.internal;
