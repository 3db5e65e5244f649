package io.dedup.rabbitmq.internal;

import com.rabbitmq.client.AMQP;
import io.dedup.rabbitmq.DedupHeaders;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The properties of what dedup publishes: retry copies, dead letters and RPC replies. Copies keep the original's
 * properties (message id, correlation id, content type, headers), so that a copy is the same message to the handler
 * and to dedup's key extractors.
 *
 * <p>Stateless.
 */
final class OutboundMessages {
    private static final int MAX_ERROR_MESSAGE = 1000;

    private OutboundMessages() {}

    /**
     * A copy of {@code delivery} to bring it back: for the retry queue it expires after {@code delay} and then
     * dead-letters back to the work queue; for the work queue itself {@code delay} is null. A deferral counts in
     * {@link DedupHeaders#DEFERRALS}; a retry sets the next {@link DedupHeaders#ATTEMPT}.
     */
    static AMQP.BasicProperties retryCopy(PendingDelivery delivery, Verdict verdict, String queue, Duration delay) {
        Map<String, Object> headers = originHeaders(delivery, queue);
        if (verdict.kind() == Verdict.Kind.RETRY) {
            headers.put(DedupHeaders.ATTEMPT, verdict.attempts() + 1);
        } else {
            headers.put(DedupHeaders.DEFERRALS, delivery.deferrals() + 1);
        }
        return delivery.getProperties()
                .builder()
                .headers(headers)
                .expiration(delay == null ? null : Long.toString(Math.max(0, delay.toMillis())))
                .build();
    }

    /** A dead letter: the original message with the reason, the error and the attempt count in headers. */
    static AMQP.BasicProperties deadLetter(PendingDelivery delivery, Verdict verdict, String queue) {
        Map<String, Object> headers = originHeaders(delivery, queue);
        headers.put(DedupHeaders.REASON, verdict.reason().name());
        if (verdict.error() != null) {
            headers.put(DedupHeaders.ERROR_CLASS, verdict.error().getClass().getName());
            String message =
                    verdict.error().getMessage() == null ? "" : verdict.error().getMessage();
            headers.put(
                    DedupHeaders.ERROR_MESSAGE,
                    message.length() > MAX_ERROR_MESSAGE ? message.substring(0, MAX_ERROR_MESSAGE) : message);
        }
        headers.put(DedupHeaders.ATTEMPTS, verdict.attempts());
        return delivery.getProperties()
                .builder()
                .headers(headers)
                .expiration(null) // a retry copy's TTL must not expire the dead letter
                .build();
    }

    /** The routing key the message was originally published with, before any trip through the retry queue. */
    static String originalRoutingKey(PendingDelivery delivery) {
        Map<String, Object> headers = delivery.getProperties().getHeaders();
        Object original = headers == null ? null : headers.get(DedupHeaders.ORIGINAL_ROUTING_KEY);
        return original != null ? original.toString() : delivery.getEnvelope().getRoutingKey();
    }

    /** An RPC reply to {@code request}, with its correlation id; marked when replayed from the store. */
    static AMQP.BasicProperties reply(PendingDelivery request, boolean replayed) {
        AMQP.BasicProperties.Builder builder = new AMQP.BasicProperties.Builder()
                .correlationId(request.getProperties().getCorrelationId());
        if (replayed) {
            builder.headers(Map.of(DedupHeaders.REPLAYED, true));
        }
        return builder.build();
    }

    private static Map<String, Object> originHeaders(PendingDelivery delivery, String queue) {
        Map<String, Object> original = delivery.getProperties().getHeaders();
        Map<String, Object> headers = original == null ? new HashMap<>() : new HashMap<>(original);
        // the id ties a return to one publish; a copy gets a new one when it is published
        headers.remove(ConfirmPublisher.PUBLISH_ID);
        // absent only on the first trip: a copy that went through the retry queue keeps where it came from first
        headers.putIfAbsent(
                DedupHeaders.ORIGINAL_EXCHANGE, delivery.getEnvelope().getExchange());
        headers.putIfAbsent(
                DedupHeaders.ORIGINAL_ROUTING_KEY, delivery.getEnvelope().getRoutingKey());
        headers.put(DedupHeaders.QUEUE, queue);
        return headers;
    }
}
