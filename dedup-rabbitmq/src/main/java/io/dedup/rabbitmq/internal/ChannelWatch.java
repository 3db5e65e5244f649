package io.dedup.rabbitmq.internal;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Method;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.ShutdownListener;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Watches the channel a pipeline consumes on and tells the pipeline what its closing means. Each close starts a new
 * <em>generation</em>: delivery tags are only valid on the channel that delivered them, so a delivery of an older
 * generation must never be acked (the broker redelivers it by itself). Also remembers the consumer tags seen, to
 * cancel them when the pipeline stops.
 *
 * <p>Thread-safe: the shutdown listener runs on the connection's thread, {@link #generation()} is read by the
 * dispatch and worker threads.
 */
final class ChannelWatch {
    /** What the pipeline hears from the watch, on the connection's thread; implementations only enqueue or flag. */
    interface Events {
        /** The channel closed; deliveries of the old generation are void. */
        void channelReplaced();

        /** The channel will not come back: closed by the application, by a channel error, or without recovery. */
        void channelGone();

        /** The broker closed the channel because an ack named an unknown tag: someone consumes with auto-ack. */
        void ackRefused(String closeMessage);
    }

    private final Channel channel;
    private final Events events;
    private final AtomicLong generation = new AtomicLong();
    private final Set<String> consumerTags = ConcurrentHashMap.newKeySet();
    private final ShutdownListener listener = this::closed;

    ChannelWatch(Channel channel, Events events) {
        this.channel = channel;
        this.events = events;
        channel.addShutdownListener(listener);
    }

    /** The current generation: stamped on each delivery as it arrives. */
    long generation() {
        return generation.get();
    }

    /** A delivery arrived for {@code consumerTag}: a consumer to cancel on stop. */
    void consumedBy(String consumerTag) {
        consumerTags.add(consumerTag);
    }

    /** Cancels every consumer seen, so the broker sends no more; one already gone sends nothing either. */
    void cancelConsumers() {
        for (String consumerTag : consumerTags) {
            try {
                if (channel.isOpen()) {
                    channel.basicCancel(consumerTag);
                }
            } catch (IOException | RuntimeException e) {
                // Already cancelled, or the channel is going away: then it sends nothing more either.
            }
        }
    }

    /** Stops listening to the channel. */
    void stop() {
        channel.removeShutdownListener(listener);
    }

    private void closed(ShutdownSignalException signal) {
        // Runs before automatic recovery opens the new channel, so later deliveries carry the new generation.
        generation.incrementAndGet();
        events.channelReplaced();
        boolean recovers = channel instanceof Recoverable && signal.isHardError() && !signal.isInitiatedByApplication();
        if (!recovers) {
            // Closed for good: by the application, by a channel error, or without automatic recovery.
            events.channelGone();
        }
        if (!signal.isHardError() && isUnknownDeliveryTag(signal.getReason())) {
            events.ackRefused(signal.getMessage());
        }
    }

    private static boolean isUnknownDeliveryTag(Method reason) {
        return reason instanceof AMQP.Channel.Close close
                && close.getReplyCode() == AMQP.PRECONDITION_FAILED
                && close.getReplyText() != null
                && close.getReplyText().contains("unknown delivery tag");
    }
}
