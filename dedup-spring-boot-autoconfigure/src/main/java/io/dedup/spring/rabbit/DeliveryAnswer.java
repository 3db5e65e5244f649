package io.dedup.spring.rabbit;

import com.rabbitmq.client.Channel;
import io.dedup.DedupResult;
import io.dedup.IdempotencyConflictException;
import io.dedup.spring.observation.DedupOutcomes;
import org.springframework.amqp.AmqpRejectAndDontRequeueException;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.support.ListenerExecutionFailedException;

/**
 * What the container is told about a delivery once its claim settled, in either acknowledge mode. In AUTO mode the
 * container acks when the advice returns and rejects (or requeues) when it throws, so the answer is a return or a
 * throw; in MANUAL mode the listener's own ack or nack, held by {@link ListenerChannel} until the key was recorded,
 * is sent now (or dropped), and where the listener did not see the message (a duplicate, a held key) the ack or nack
 * is sent here on its behalf.
 *
 * <p>Stateless and thread-safe.
 */
final class DeliveryAnswer {
    private DeliveryAnswer() {}

    /**
     * Answers the delivery of {@code message} for its claim's {@code result}.
     *
     * @param channel the container's own channel (not the listener's proxy), for replies and acks sent here
     * @param listenerFailure what the listener (or the chain around it) threw, or {@code null}
     * @return {@code null}: the chain's return value for the container, which ignores it
     * @throws ListenerExecutionFailedException for a held key in AUTO mode (requeued: the consumer stopped waiting
     *     for it), or wrapping a listener
     *     failure that is not one already
     * @throws AmqpRejectAndDontRequeueException for a message without a usable key, or whose key was reused for
     *     other content: it goes to the queue's dead-letter exchange, in MANUAL mode too
     * @throws Throwable the listener's own failure, unchanged when it is a listener failure or an {@link Error}
     */
    static Object answer(
            QueueGuard guard,
            Channel channel,
            Message message,
            ListenerChannel listenerChannel,
            DedupResult<?> result,
            Throwable listenerFailure)
            throws Throwable {
        switch (result.disposition()) {
            case ACK -> {
                listenerChannel.settle(true);
                if (result instanceof DedupResult.Duplicate<?> duplicate) {
                    StoredReply reply =
                            StoredReply.CODEC.decode(duplicate.outcome().body());
                    if (reply != null) {
                        reply.replayTo(channel, message.getMessageProperties());
                    }
                    // The listener never saw the duplicate, so it cannot have acked it.
                    if (guard.manualAcks()) {
                        channel.basicAck(message.getMessageProperties().getDeliveryTag(), false);
                    }
                }
                return null;
            }
            case DEFER, BACK_OFF -> {
                // Only once the consumer stopped waiting (see HeldKeyWait). The listener's own ack (if it ran) is
                // dropped: the message comes again and must not be acked.
                listenerChannel.settle(false);
                HeldKeyWait.handBack(guard, channel, message, result);
                return null;
            }
            case RETRY_OR_DEAD_LETTER -> {
                listenerChannel.settle(true);
                if (listenerFailure instanceof ListenerExecutionFailedException || listenerFailure instanceof Error) {
                    throw listenerFailure;
                }
                if (listenerFailure != null) {
                    throw new ListenerExecutionFailedException(
                            "@RabbitListener '" + guard.listenerId() + "' failed", listenerFailure, message);
                }
                return null; // the retry recoverer (or the listener itself) settled the message
            }
            default -> {
                listenerChannel.settle(false);
                throw new AmqpRejectAndDontRequeueException(
                        "@RabbitListener '" + guard.listenerId() + "': message rejected by dedup ("
                                + DedupOutcomes.outcome(result) + ")",
                        true,
                        rejection(result));
            }
        }
    }

    /** Why dedup rejected a message, as the cause the dead-letter exchange's consumers will see in the logs. */
    private static Throwable rejection(DedupResult<?> result) {
        if (result instanceof DedupResult.Rejected<?> rejected) {
            return rejected.reason();
        }
        if (result instanceof DedupResult.Conflict<?> conflict) {
            return new IdempotencyConflictException(conflict.key());
        }
        return null;
    }
}
