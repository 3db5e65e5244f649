package io.dedup.examples.orders;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * An order message: {@code {"orderId":"o-0042","sku":"sku-3","quantity":2}}; its AMQP message-id is the order id.
 * Immutable; thread-safe.
 */
public record Order(String orderId, String sku, int quantity) {
    /** Shared: an ObjectMapper is thread-safe once configured. */
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @throws NullPointerException if the id or sku is null
     * @throws IllegalArgumentException if {@code quantity} is below 1
     */
    public Order {
        Objects.requireNonNull(orderId, "orderId");
        Objects.requireNonNull(sku, "sku");
        if (quantity < 1) {
            throw new IllegalArgumentException("quantity must be at least 1, got " + quantity);
        }
    }

    /** The order as the JSON bytes published. */
    public byte[] json() {
        return ("{\"orderId\":\"" + orderId + "\",\"sku\":\"" + sku + "\",\"quantity\":" + quantity + "}")
                .getBytes(StandardCharsets.UTF_8);
    }

    /**
     * @throws IllegalArgumentException if the body is not an order
     */
    public static Order parse(byte[] body) {
        try {
            JsonNode node = JSON.readTree(body);
            if (node == null || !node.hasNonNull("orderId") || !node.hasNonNull("sku")) {
                throw new IllegalArgumentException("not an order");
            }
            return new Order(
                    node.get("orderId").asText(),
                    node.get("sku").asText(),
                    node.path("quantity").asInt());
        } catch (IOException e) {
            throw new IllegalArgumentException("unreadable order: " + e.getMessage(), e);
        }
    }
}
