package io.dedup.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A payment message of the demo: its idempotency key is {@code paymentId}, which producers also put in the {@code
 * idempotency-key} header (Kafka) or the message-id (RabbitMQ). Immutable.
 *
 * @param paymentId the payment's id, unique per payment
 * @param account the account charged; a Kafka record's key, so one account's payments stay in order
 * @param amountCents the amount, in cents
 */
public record Payment(String paymentId, String account, long amountCents) {
    /** Shared: an ObjectMapper is thread-safe once configured. */
    private static final ObjectMapper JSON = new ObjectMapper();

    public Payment {
        Objects.requireNonNull(paymentId, "paymentId");
        Objects.requireNonNull(account, "account");
    }

    /** The message body: {@code {"paymentId":"pay-000042","account":"acct-017","amountCents":1234,"currency":"EUR"}}. */
    public String json() {
        return "{\"paymentId\":\"" + paymentId + "\",\"account\":\"" + account + "\",\"amountCents\":" + amountCents
                + ",\"currency\":\"EUR\"}";
    }

    /** The payment as UTF-8 JSON, the body a broker carries. */
    public byte[] jsonBytes() {
        return json().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Reads a message body.
     *
     * @throws IllegalArgumentException if it is not a payment
     */
    public static Payment parse(String json) {
        Objects.requireNonNull(json, "json");
        try {
            JsonNode node = JSON.readTree(json);
            if (node == null || !node.hasNonNull("paymentId") || !node.hasNonNull("account")) {
                throw new IllegalArgumentException("not a payment: " + json);
            }
            return new Payment(
                    node.get("paymentId").asText(),
                    node.get("account").asText(),
                    node.path("amountCents").asLong());
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable payment", e);
        }
    }

    /** {@link #parse(String)} of UTF-8 bytes. */
    public static Payment parse(byte[] json) {
        return parse(new String(Objects.requireNonNull(json, "json"), StandardCharsets.UTF_8));
    }
}
