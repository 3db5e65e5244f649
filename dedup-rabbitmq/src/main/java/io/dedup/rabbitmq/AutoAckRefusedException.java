package io.dedup.rabbitmq;

import io.dedup.DedupConfigurationException;

/**
 * A dedup-wrapped consumer was (or was about to be) registered with automatic acknowledgement. dedup acks a
 * delivery only after the store recorded its outcome; with auto-ack the broker forgets the delivery as soon as it
 * is sent, so nothing can be tied to the outcome. Register the wrapped consumer with {@code autoAck=false}.
 *
 * <p>Immutable.
 */
public class AutoAckRefusedException extends DedupConfigurationException {
    private static final long serialVersionUID = 1L;
    private final String queue;

    /**
     * @param queue the queue the consumer was (to be) registered on
     * @param detail how the auto-ack was noticed; empty for none
     */
    public AutoAckRefusedException(String queue, String detail) {
        super("dedup needs manual acknowledgements on queue " + queue + ": register the wrapped consumer with "
                + "basicConsume(queue, false, ...)" + (detail.isEmpty() ? "" : " (" + detail + ")"));
        this.queue = queue;
    }

    /** The queue the consumer was registered on. */
    public String queue() {
        return queue;
    }
}
