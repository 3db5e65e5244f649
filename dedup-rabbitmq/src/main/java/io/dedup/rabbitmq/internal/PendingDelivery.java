package io.dedup.rabbitmq.internal;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Delivery;
import com.rabbitmq.client.Envelope;
import io.dedup.rabbitmq.DedupHeaders;
import java.util.Map;

/**
 * A delivery waiting in a wrapper, with what the wrapper needs besides the message: the consumer tag to hand to the
 * application's callback, and the channel generation it arrived on (a delivery from a channel that has since
 * closed can no longer be acked; the broker redelivers it).
 *
 * <p>Immutable once built (dedup never writes to the body array), so safe to hand from the
 * dispatch thread to the worker.
 */
public final class PendingDelivery extends Delivery {
    private final String consumerTag;
    private final long generation;

    PendingDelivery(
            String consumerTag, long generation, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
        super(envelope, properties, body);
        this.consumerTag = consumerTag;
        this.generation = generation;
    }

    /** The consumer tag the broker delivered it to, for the application's callback. */
    public String consumerTag() {
        return consumerTag;
    }

    /** The generation of the channel it arrived on (see {@link ChannelWatch}); its tag is valid only there. */
    long generation() {
        return generation;
    }

    /** The delivery tag, to ack with on the channel it arrived on. */
    long tag() {
        return getEnvelope().getDeliveryTag();
    }

    /** The attempt this delivery is, by the header dedup keeps on retried copies; 1 for a first delivery. */
    int attempt() {
        return Math.max(1, intHeader(DedupHeaders.ATTEMPT));
    }

    /** How often this delivery was deferred before. */
    int deferrals() {
        return Math.max(0, intHeader(DedupHeaders.DEFERRALS));
    }

    /** Whether it is an RPC request: a reply needs both a queue to go to and a correlation id to be matched by. */
    boolean wantsReply() {
        AMQP.BasicProperties properties = getProperties();
        return properties.getReplyTo() != null
                && !properties.getReplyTo().isEmpty()
                && properties.getCorrelationId() != null;
    }

    /** Names the delivery in logs and errors, without payload or key. */
    public String describe(String queue) {
        return "queue " + queue + ", consumer " + consumerTag + ", delivery tag " + tag()
                + (getEnvelope().isRedeliver() ? " (redelivered)" : "");
    }

    /**
     * A count header as a number: dedup writes integers, but a copy republished by another tool may carry the text
     * form; anything unreadable counts as absent (0), so a bad header cannot make a delivery skip its attempts.
     */
    private int intHeader(String name) {
        Map<String, Object> headers = getProperties().getHeaders();
        Object value = headers == null ? null : headers.get(name);
        if (value instanceof Number number) {
            return (int) Math.min(Integer.MAX_VALUE, number.longValue());
        }
        if (value != null) {
            try {
                return Integer.parseInt(value.toString().trim());
            } catch (NumberFormatException e) {
                return 0;
            }
        }
        return 0;
    }
}
