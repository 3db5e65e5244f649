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

    public String consumerTag() {
        return consumerTag;
    }

    long generation() {
        return generation;
    }

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
