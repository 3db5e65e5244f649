/** Worked example: Kafka payments charged at most once each, keys in Redis, failures in a dead-letter topic. */
package io.dedup.examples.payments;
