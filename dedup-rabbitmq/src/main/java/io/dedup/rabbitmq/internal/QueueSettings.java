package io.dedup.rabbitmq.internal;

import io.dedup.rabbitmq.RetryTopology;
import java.time.Duration;

/**
 * What a wrapper needs to know about its queue beyond dedup's own settings. Immutable and thread-safe (the meters it
 * carries are thread-safe); one instance is shared by the pipelines of a queue.
 *
 * @param queue the work queue
 * @param retryQueue where deferred and retried deliveries wait out the redelivery delay; null to hold them unacked
 *     in the consumer instead and requeue them after the delay
 * @param deadLetterExchange where dead letters are published; null to reject them ({@code requeue=false}) to the
 *     queue's own dead-letter exchange, which cannot carry dedup's headers
 * @param deadLetterRoutingKey the routing key for dead letters; null for the original routing key
 * @param topology the topology to declare at the first wrap, or null
 * @param maxAttempts handler runs per key before a failure is dead-lettered
 * @param redeliveryDelay how long a deferred or retried delivery waits before it comes back
 * @param batchSize the most deliveries claimed in one store round trip
 * @param batchWait the longest wait for more deliveries of the prefetch window before claiming
 * @param storeBackoffMin first pause when the store is unavailable
 * @param storeBackoffMax longest pause when the store stays unavailable
 * @param confirmTimeout how long to wait for the broker to confirm republished messages
 * @param metrics the adapter's meters
 */
public record QueueSettings(
        String queue,
        String retryQueue,
        String deadLetterExchange,
        String deadLetterRoutingKey,
        RetryTopology topology,
        int maxAttempts,
        Duration redeliveryDelay,
        int batchSize,
        Duration batchWait,
        Duration storeBackoffMin,
        Duration storeBackoffMax,
        Duration confirmTimeout,
        RabbitMetrics metrics) {}
