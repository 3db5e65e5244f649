/**
 * Worked example: Kafka payments charged at most once each, keys in Redis, failures in a dead-letter topic.
 *
 * <p>{@link io.dedup.examples.payments.PaymentsConsumer} is the leased mode as most services would run it: keys from
 * a header with a JSON field as the fallback, retries with back-off for a declined payment, and a dead-letter topic
 * for what cannot be charged or keyed, with the reason in headers. Nothing is dropped silently.
 */
package io.dedup.examples.payments;
