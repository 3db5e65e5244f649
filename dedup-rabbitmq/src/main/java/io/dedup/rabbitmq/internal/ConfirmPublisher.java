package io.dedup.rabbitmq.internal;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ReturnListener;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;

/**
 * Publishes retries, dead letters and RPC replies on a channel of its own in confirm mode, so that a delivery is
 * acked only after the broker took responsibility for its copy. A channel of its own, because confirm mode cannot
 * be switched off again and the consumer's channel is the application's; and because a failed publish closes its
 * channel, which must not take the consumer's deliveries down with it. Mandatory messages that the broker cannot route
 * (a missing retry or dead-letter queue) are reported as failed rather than silently dropped.
 *
 * <p>Not thread-safe: owned by one pipeline's worker thread (returns arrive on the connection's thread and are
 * collected in a concurrent set).
 */
final class ConfirmPublisher implements AutoCloseable {
    /**
     * Header that ties a broker's return of an unroutable publish to that publish. Not part of the documented
     * vocabulary in {@link io.dedup.rabbitmq.DedupHeaders}: retry copies and dead letters drop it again before they are republished.
     */
    static final String PUBLISH_ID = "x-dedup-publish-id";

    private final Connection connection;
    private final Set<Long> returned = ConcurrentHashMap.newKeySet();
    private final Set<Long> inFlight = new HashSet<>();
    private final ReturnListener onReturn = (replyCode, replyText, exchange, routingKey, properties, body) -> {
        Map<String, Object> headers = properties.getHeaders();
        Object id = headers == null ? null : headers.get(ConfirmPublisher.PUBLISH_ID);
        if (id instanceof Number number) {
            returned.add(number.longValue());
        }
    };
    private Channel channel;
    private long nextId;

    ConfirmPublisher(Connection connection) {
        this.connection = connection;
    }

    /**
     * Publishes one message; {@link #awaitConfirms} tells whether it arrived.
     *
     * @return the publish's id, to look up in the answer of {@link #awaitConfirms}
     * @throws IOException if the channel cannot be opened or the publish cannot be written
     */
    long publish(String exchange, String routingKey, boolean mandatory, AMQP.BasicProperties properties, byte[] body)
            throws IOException {
        Channel ch = channel();
        long id = ++nextId;
        AMQP.BasicProperties sent = properties;
        if (mandatory) {
            Map<String, Object> headers =
                    properties.getHeaders() == null ? new HashMap<>() : new HashMap<>(properties.getHeaders());
            headers.put(ConfirmPublisher.PUBLISH_ID, id);
            sent = properties.builder().headers(headers).build();
        }
        inFlight.add(id);
        ch.basicPublish(exchange, routingKey, mandatory, sent, body);
        return id;
    }

    /**
     * Waits for the broker to confirm every publish since the last call.
     *
     * @return the ids of publishes that were returned as unroutable; empty when all arrived
     * @throws IOException if the broker refused a publish, did not confirm in time, or the channel closed: then
     *     none of them counts as delivered
     */
    Set<Long> awaitConfirms(Duration timeout) throws IOException {
        if (inFlight.isEmpty()) {
            return Set.of();
        }
        try {
            if (!channel().waitForConfirms(timeout.toMillis())) {
                throw new IOException("the broker refused (nacked) a republished message");
            }
            Set<Long> failed = new HashSet<>();
            for (Long id : inFlight) {
                if (returned.remove(id)) {
                    failed.add(id);
                }
            }
            return failed;
        } catch (TimeoutException e) {
            throw new IOException("the broker did not confirm republished messages within " + timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for publisher confirms", e);
        } catch (RuntimeException e) {
            // AlreadyClosedException and ShutdownSignalException: the channel went away under us.
            throw new IOException("publisher channel closed: " + e.getMessage(), e);
        } finally {
            inFlight.clear();
        }
    }

    /** Forgets the publishes since the last {@link #awaitConfirms}, after one of them could not be written. */
    void abandon() {
        inFlight.clear();
    }

    /** The publishing channel, opened (again) on demand: a failed publish or confirm closes the previous one. */
    private Channel channel() throws IOException {
        if (channel == null || !channel.isOpen()) {
            if (channel != null) {
                channel.removeReturnListener(onReturn);
            }
            channel = null;
            returned.clear();
            Channel created = connection.createChannel();
            if (created == null) {
                throw new IOException("no channel available (the connection's channel limit is reached)");
            }
            created.confirmSelect();
            created.addReturnListener(onReturn);
            channel = created;
        }
        return channel;
    }

    @Override
    public void close() {
        Channel ch = channel;
        channel = null;
        if (ch != null && ch.isOpen()) {
            try {
                ch.close();
            } catch (IOException | TimeoutException | RuntimeException e) {
                // Closing is best effort: the connection may be going away too.
            }
        }
    }
}
