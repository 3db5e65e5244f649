package io.dedup.examples.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.dedup.rabbitmq.RabbitDedup;
import io.dedup.spi.DedupStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A RabbitMQ RPC service whose duplicate requests get the stored reply: it prices a quote request and answers with
 * a new quote id and a validity, so a second computation for the same request would give a <em>different</em>
 * answer. Under dedup the reply is stored with the request's key (its message-id), and a duplicate request — a
 * client that timed out and asked again, a redelivery after a crash — gets the very same reply again, marked
 * {@code x-dedup-replayed: true}, without the quote being computed again.
 *
 * <p>Thread-safe.
 */
public final class QuoteService implements AutoCloseable {
    /** Shared: an ObjectMapper is thread-safe once configured. */
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The adapter that replays a stored reply for a repeated request instead of computing it again. */
    private final RabbitDedup quotes;
    /** How often a quote was really computed: the example shows it stays at one per request id. */
    private final AtomicInteger computed = new AtomicInteger();

    /** A service answering through {@code quotes}. */
    private QuoteService(RabbitDedup quotes) {
        this.quotes = quotes;
    }

    /**
     * Serves {@code queue} on a channel of {@code connection}.
     *
     * @param store where replies are kept: with several instances of the service, a shared one (Redis, JDBC)
     * @throws IOException if the broker refuses
     */
    public static QuoteService start(Connection connection, String queue, DedupStore store) throws IOException {
        RabbitDedup quotes = RabbitDedup.builder(queue).store(store).build();
        QuoteService service = new QuoteService(quotes);
        Channel channel = connection.createChannel();
        channel.basicQos(20);
        // rpc(): the adapter stores each reply as the key's outcome and replays it to a repeated request id
        channel.basicConsume(queue, false, quotes.rpc(channel, request -> service.quote(request.getBody())), tag -> {});
        return service;
    }

    /** The reply: {@code {"quoteId":"...","sku":"...","quantity":3,"priceCents":3597,"validUntil":"..."}}. */
    private byte[] quote(byte[] request) throws IOException {
        JsonNode node = JSON.readTree(request);
        String sku = node.path("sku").asText();
        int quantity = node.path("quantity").asInt(1);
        long unitCents = 1000 + Math.floorMod(sku.hashCode(), 500);
        // a fresh quote id and validity each time: a replayed reply is recognisable as the very same quote
        computed.incrementAndGet();
        return JSON.createObjectNode()
                .put("quoteId", UUID.randomUUID().toString())
                .put("sku", sku)
                .put("quantity", quantity)
                .put("priceCents", unitCents * quantity)
                .put("validUntil", Instant.now().plus(Duration.ofMinutes(15)).toString())
                .toString()
                .getBytes(StandardCharsets.UTF_8);
    }

    /** How many quotes were computed (not replayed). */
    public int computed() {
        return computed.get();
    }

    /** Stops serving: cancels the consumer and lets a running request finish. */
    @Override
    public void close() {
        quotes.close();
    }
}
