package io.dedup.spring.rabbit;

import com.rabbitmq.client.Channel;
import io.dedup.DedupResult;
import io.dedup.spring.observation.DedupOutcomes;
import java.io.IOException;
import org.springframework.amqp.ImmediateRequeueAmqpException;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.support.ListenerExecutionFailedException;

/**
 * The hand-back of a message whose key is held elsewhere (or whose lease was lost, or whose store is down while
 * fail-closed): the consumer waits {@code dedup.rabbit.in-progress-backoff}, then the message is requeued.
 *
 * <p>Why wait on the consumer: RabbitMQ redelivers a requeued message at once, to this consumer as likely as any;
 * without the wait a held key would spin between broker and consumer for as long as its holder runs. The wait blocks
 * only this consumer thread, and the message stays unacknowledged meanwhile, so the broker cannot lose it.
 *
 * <p>Stateless and thread-safe.
 */
final class HeldKeyRequeue {
    private HeldKeyRequeue() {}

    /**
     * Waits the guard's back-off, then requeues: with {@code basicNack(requeue=true)} when the listener acknowledges
     * itself (MANUAL), else by throwing for the container.
     *
     * @throws ListenerExecutionFailedException in AUTO mode, always: it carries an {@link
     *     ImmediateRequeueAmqpException}, which makes the container requeue even under {@code
     *     default-requeue-rejected=false}; wrapped as a listener failure because anything else thrown from the chain
     *     restarts the consumer
     * @throws IOException if the nack cannot be sent (MANUAL)
     */
    static void requeue(QueueGuard guard, Channel channel, Message message, DedupResult<?> result) throws IOException {
        backOff(guard);
        if (guard.manualAcks()) {
            channel.basicNack(message.getMessageProperties().getDeliveryTag(), false, true);
            return;
        }
        throw new ListenerExecutionFailedException(
                "@RabbitListener '" + guard.listenerId() + "': requeued",
                new ImmediateRequeueAmqpException("the key of this message is held elsewhere (or the store is "
                        + "unavailable): requeued after " + guard.inProgressBackoff() + " ("
                        + DedupOutcomes.outcome(result) + ")"),
                message);
    }

    /** Sleeps the back-off; an interrupt ends it early and stays set, so that the container sees it and stops. */
    private static void backOff(QueueGuard guard) {
        try {
            Thread.sleep(guard.inProgressBackoff().toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
