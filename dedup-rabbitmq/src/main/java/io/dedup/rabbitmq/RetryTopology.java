package io.dedup.rabbitmq;

import com.rabbitmq.client.Channel;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;

/**
 * The queues dedup declares next to a work queue when asked to ({@link RabbitDedupBuilder#declareTopology()}):
 *
 * <ul>
 *   <li>the <b>retry queue</b> {@code <queue>.dedup.retry}: durable, without consumers, dead-lettering through the
 *       default exchange back to the work queue. dedup publishes a delivery there with a per-message TTL (the
 *       redelivery delay) when its key is in progress elsewhere or its handler failed and will be retried; when
 *       the TTL expires the broker moves it back to the work queue. No consumer spins on it.
 *   <li>the <b>dead-letter queue</b> {@code <queue>.dedup.dlq}: durable; dedup publishes there the deliveries it
 *       gives up on, with the reason and the error in {@link DedupHeaders headers}.
 * </ul>
 *
 * <p>Immutable and thread-safe.
 *
 * @param queue the work queue
 * @param retryQueue the retry queue's name
 * @param deadLetterQueue the dead-letter queue's name
 */
public record RetryTopology(String queue, String retryQueue, String deadLetterQueue) {
    /** Suffix of the retry queue's name. */
    public static final String RETRY_SUFFIX = ".dedup.retry";
    /** Suffix of the dead-letter queue's name. */
    public static final String DEAD_LETTER_SUFFIX = ".dedup.dlq";

    public RetryTopology {
        Objects.requireNonNull(queue, "queue");
        Objects.requireNonNull(retryQueue, "retryQueue");
        Objects.requireNonNull(deadLetterQueue, "deadLetterQueue");
    }

    /** The default names for {@code queue}. */
    public static RetryTopology of(String queue) {
        Objects.requireNonNull(queue, "queue");
        return new RetryTopology(queue, queue + RETRY_SUFFIX, queue + DEAD_LETTER_SUFFIX);
    }

    /**
     * Declares the retry queue and the dead-letter queue (idempotent when they exist with the same arguments). The
     * work queue itself is the application's.
     *
     * @throws IOException if the broker refuses, e.g. a queue exists with other arguments
     */
    public void declare(Channel channel) throws IOException {
        Objects.requireNonNull(channel, "channel");
        channel.queueDeclare(
                retryQueue,
                true,
                false,
                false,
                Map.of("x-dead-letter-exchange", "", "x-dead-letter-routing-key", queue));
        channel.queueDeclare(deadLetterQueue, true, false, false, Map.of());
    }

    /**
     * Deletes both queues, with whatever they hold.
     *
     * @throws IOException if the broker refuses
     */
    public void delete(Channel channel) throws IOException {
        Objects.requireNonNull(channel, "channel");
        channel.queueDelete(retryQueue);
        channel.queueDelete(deadLetterQueue);
    }
}
