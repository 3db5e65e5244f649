/**
 * What applications call: {@link io.dedup.DedupConsumer} wraps a message handler so that it runs at most once per
 * idempotency key within the retention, {@link io.dedup.KeyExtractor} says where a message's key lives, and
 * {@link io.dedup.DedupResult} says what happened to each message so that adapters know whether to ack, defer,
 * retry or dead-letter.
 *
 * <p>All parameters and return values are non-null unless documented otherwise.
 */
package io.dedup;
