package io.dedup.spring.rabbit;

import com.rabbitmq.client.Channel;
import io.dedup.DedupResult;
import io.dedup.spring.observation.DedupOutcomes;
import java.io.IOException;
import java.time.Duration;
import org.springframework.amqp.ImmediateRequeueAmqpException;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.support.ListenerExecutionFailedException;

/**
 * The wait of a message whose key is held elsewhere (or whose lease was lost, or whose store is down while
 * fail-closed): the message stays unacknowledged on its consumer, which pauses {@code
 * dedup.rabbit.in-progress-backoff} and claims again, until the claim answers something else. Only when the consumer
 * cannot go on waiting (its container is stopping, its channel closed, its thread interrupted) is the message handed
 * back to the broker.
 *
 * <p>Why wait on the consumer rather than requeue after the back-off: every requeue counts towards a quorum queue's
 * delivery limit (RabbitMQ 4.0 to 4.2 set one by default, 3.x with {@code x-delivery-limit}), and a message past it
 * is dropped or dead-lettered unprocessed. A key held by a crashed consumer stays held until its lease lapses, a store
 * outage lasts as long as it lasts: requeued once per back-off, the message would be lost long before either ends.
 * While it waits unacknowledged the broker counts nothing and cannot lose it, and the consumer takes no new messages
 * beyond its prefetch, which is what fail-closed asks for while the store is down.
 *
 * <p>Stateless and thread-safe.
 */
final class HeldKeyWait {
    /** The longest slice of the back-off between two looks at the container and the channel. */
    private static final Duration SLICE = Duration.ofMillis(100);

    private HeldKeyWait() {}

    /**
     * Pauses the guard's back-off before the next claim, watching the consumer meanwhile.
     *
     * @return whether to claim again: {@code false} when the container is stopping, the channel is closed (the
     *     broker has taken the message back already) or the thread was interrupted (the interrupt stays set, so that
     *     the container sees it)
     */
    static boolean pause(QueueGuard guard, Channel channel) {
        long deadline = System.nanoTime() + guard.inProgressBackoff().toNanos();
        while (true) {
            if (Thread.currentThread().isInterrupted() || guard.stopping().getAsBoolean() || !channel.isOpen()) {
                return false;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return true;
            }
            try {
                Thread.sleep(Math.max(1, Math.min(left, SLICE.toNanos()) / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    /** Why {@link #pause} said stop, for the log line of the hand-back. */
    static String whyStopped(QueueGuard guard, Channel channel) {
        if (!channel.isOpen()) {
            return "its channel closed (the broker took it back)";
        }
        if (guard.stopping().getAsBoolean()) {
            return "its container is stopping";
        }
        return "its consumer thread was interrupted";
    }

    /**
     * Hands the message back to the broker, at once: with {@code basicNack(requeue=true)} when the listener
     * acknowledges itself (MANUAL; nothing when the channel is closed, since the broker requeued the message as the
     * channel closed), else by throwing for the container. It counts as one delivery towards a delivery limit, as
     * every unacknowledged message of the prefetch window does when the consumer stops.
     *
     * @throws ListenerExecutionFailedException in AUTO mode, always: it carries an {@link
     *     ImmediateRequeueAmqpException}, which makes the container requeue even under {@code
     *     default-requeue-rejected=false}; wrapped as a listener failure because anything else thrown from the chain
     *     restarts the consumer
     * @throws IOException if the nack cannot be sent (MANUAL)
     */
    static void handBack(QueueGuard guard, Channel channel, Message message, DedupResult<?> result) throws IOException {
        if (guard.manualAcks()) {
            if (channel.isOpen()) {
                channel.basicNack(message.getMessageProperties().getDeliveryTag(), false, true);
            }
            return;
        }
        throw new ListenerExecutionFailedException(
                "@RabbitListener '" + guard.listenerId() + "': requeued",
                new ImmediateRequeueAmqpException("the key of this message is held elsewhere (or the store is "
                        + "unavailable) and the consumer stopped waiting: requeued ("
                        + DedupOutcomes.outcome(result) + ")"),
                message);
    }
}
