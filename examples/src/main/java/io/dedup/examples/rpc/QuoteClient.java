package io.dedup.examples.rpc;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.dedup.rabbitmq.DedupHeaders;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Asks {@link QuoteService} for quotes over RabbitMQ's direct reply-to. A request's message-id is its idempotency
 * key: asking again with the same request id (after a timeout, say) is a duplicate, answered with the stored reply.
 * Each call has its own correlation id. Thread-safe.
 */
public final class QuoteClient implements AutoCloseable {
    /**
     * RabbitMQ's direct reply-to pseudo-queue: replies come straight back on this channel, no reply queue to declare.
     */
    private static final String REPLY_TO = "amq.rabbitmq.reply-to";

    /** The one channel requests go out on and replies come in on. */
    private final Channel channel;
    /** The service's request queue. */
    private final String queue;
    /** Requests waiting for their reply, by correlation id. */
    private final Map<String, CompletableFuture<Reply>> waiting = new ConcurrentHashMap<>();

    /**
     * A reply.
     *
     * @param body the reply's bytes
     * @param replayed whether dedup replayed a stored reply rather than the service computing one
     */
    public record Reply(String body, boolean replayed) {}

    /**
     * A client of the service on {@code queue}, with a channel of its own.
     *
     * @throws IOException if the reply consumer cannot be registered on the connection's new channel
     */
    public QuoteClient(Connection connection, String queue) throws IOException {
        this.channel = connection.createChannel();
        this.queue = queue;
        // Direct reply-to: consume the pseudo-queue with auto-ack before publishing on the same channel.
        channel.basicConsume(
                REPLY_TO,
                true,
                (tag, delivery) -> {
                    CompletableFuture<Reply> reply =
                            waiting.remove(delivery.getProperties().getCorrelationId());
                    if (reply != null) {
                        Map<String, Object> headers = delivery.getProperties().getHeaders();
                        Object replayed = headers == null ? null : headers.get(DedupHeaders.REPLAYED);
                        reply.complete(new Reply(
                                new String(delivery.getBody(), StandardCharsets.UTF_8),
                                "true".equals(String.valueOf(replayed))));
                    }
                },
                tag -> {});
    }

    /**
     * Sends request {@code requestId} and waits for its reply.
     *
     * @throws java.util.concurrent.TimeoutException if none comes within {@code timeout}
     */
    public Reply quote(String requestId, String sku, int quantity, Duration timeout) throws Exception {
        // the request id is the idempotency key; the correlation id, new per call, matches this call's reply
        String correlationId = UUID.randomUUID().toString();
        CompletableFuture<Reply> reply = new CompletableFuture<>();
        waiting.put(correlationId, reply);
        AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder()
                .messageId(requestId)
                .correlationId(correlationId)
                .replyTo(REPLY_TO)
                .contentType("application/json")
                .build();
        String body = "{\"sku\":\"" + sku + "\",\"quantity\":" + quantity + "}";
        synchronized (channel) { // publishes on one channel must not interleave
            channel.basicPublish("", queue, properties, body.getBytes(StandardCharsets.UTF_8));
        }
        try {
            return reply.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } finally {
            // a late reply after a timeout finds no waiter and is dropped
            waiting.remove(correlationId);
        }
    }

    /**
     * Closes the client's channel.
     *
     * @throws IOException if the broker refuses
     */
    @Override
    public void close() throws IOException {
        if (channel.isOpen()) {
            try {
                channel.close();
            } catch (TimeoutException e) {
                // the channel goes away with its connection
            }
        }
    }
}
