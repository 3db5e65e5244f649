package io.dedup.rabbitmq.internal;

import io.dedup.rabbitmq.RetryTopology;

/**
 * Where a queue's deferred, retried and dead-lettered deliveries go, resolved from what the builder was told. An
 * explicit retry queue or dead-letter exchange wins. Otherwise a declared {@link RetryTopology} supplies them:
 * retries to its retry queue, dead letters through the default exchange ({@code ""}) to its dead-letter queue.
 * Otherwise there are none: retries are held in the consumer and requeued, dead letters rejected to the queue's own
 * dead-letter exchange.
 *
 * <p>Immutable and thread-safe.
 *
 * @param retryQueue the retry queue, or null to hold and requeue
 * @param deadLetterExchange the exchange dead letters are published to, or null to reject them
 * @param deadLetterRoutingKey their routing key, or null for the original one
 * @param topology the topology to declare at the first wrap, or null
 */
public record Destinations(
        String retryQueue, String deadLetterExchange, String deadLetterRoutingKey, RetryTopology topology) {
    /**
     * @param declareTopology whether {@link RetryTopology#of} {@code queue} is declared and used
     * @param deadLetterRoutingKey used only with an explicit {@code deadLetterExchange}
     */
    public static Destinations resolve(
            String queue,
            boolean declareTopology,
            String retryQueue,
            String deadLetterExchange,
            String deadLetterRoutingKey) {
        RetryTopology topology = declareTopology ? RetryTopology.of(queue) : null;
        String retry = retryQueue != null ? retryQueue : topology != null ? topology.retryQueue() : null;
        String dlx = deadLetterExchange != null ? deadLetterExchange : topology != null ? "" : null;
        String dlRoutingKey = deadLetterExchange != null
                ? deadLetterRoutingKey
                : topology != null ? topology.deadLetterQueue() : null;
        return new Destinations(retry, dlx, dlRoutingKey, topology);
    }
}
