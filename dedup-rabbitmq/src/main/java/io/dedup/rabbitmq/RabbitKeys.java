package io.dedup.rabbitmq;

import com.rabbitmq.client.Delivery;
import com.rabbitmq.client.LongString;
import io.dedup.IdempotencyKeyUnreadableException;
import io.dedup.KeyExtractor;
import io.dedup.RawKey;
import io.dedup.spi.KeySpecGrammar;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Where an AMQP delivery's idempotency key lives: the {@code message-id} property (the default), a header, a field
 * of a JSON body, or the content hash; or a chain of these tried in order. All extractors are thread-safe.
 */
public final class RabbitKeys {
    private RabbitKeys() {}

    /** The AMQP {@code message-id} property: the default key. */
    public static KeyExtractor<Delivery> messageId() {
        return delivery -> Optional.ofNullable(delivery.getProperties().getMessageId());
    }

    /** The {@value DedupHeaders#IDEMPOTENCY_KEY} header. */
    public static KeyExtractor<Delivery> header() {
        return header(DedupHeaders.IDEMPOTENCY_KEY);
    }

    /**
     * The named header. Strings and integers are keys in their text form; byte arrays and AMQP long strings are read
     * as bytes: UTF-8 text is that text key, other bytes a binary key ({@link RawKey#ofBytes}) that core keeps apart
     * from every text key. A header of another type (a table, a list, a decimal) is unreadable.
     *
     * @throws IllegalArgumentException if {@code name} is empty
     */
    public static KeyExtractor<Delivery> header(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("header name must not be empty");
        }
        return KeyExtractor.ofRaw(delivery -> {
            Object value = headerValue(delivery, name);
            return value == null ? Optional.empty() : Optional.of(headerKey(name, value));
        });
    }

    /**
     * The scalar at {@code pointer} (RFC 6901, e.g. {@code /order/id}) in a JSON body.
     *
     * @throws IllegalArgumentException if {@code pointer} is not a valid JSON Pointer
     */
    public static KeyExtractor<Delivery> jsonPointer(String pointer) {
        return KeyExtractor.jsonPointer(Delivery::getBody, pointer);
    }

    /** The SHA-256 of the body: byte-identical bodies are duplicates of each other. */
    public static KeyExtractor<Delivery> contentHash() {
        return KeyExtractor.contentHash(Delivery::getBody);
    }

    /**
     * The SHA-256 of the body and of the named headers (each in the form {@link #header(String)} reads it; an absent
     * header is hashed as absent).
     *
     * @throws IdempotencyKeyUnreadableException from the extractor when a named header is of an unreadable type
     */
    public static KeyExtractor<Delivery> contentHash(String... headerNames) {
        for (String name : headerNames) {
            Objects.requireNonNull(name, "headerNames");
        }
        return KeyExtractor.contentHash(Delivery::getBody, RabbitKeys::headerBytes, headerNames.clone());
    }

    /**
     * Parses a key specification as used in properties, in the grammar shared with the Kafka adapter ({@link
     * KeySpecGrammar}): a comma-separated chain, tried in order, of {@code header} (the {@value
     * DedupHeaders#IDEMPOTENCY_KEY} header) or {@code header:NAME}, {@code json-pointer:/POINTER} (alias {@code
     * json:/POINTER}), {@code content-hash} or {@code content-hash:HEADER1+HEADER2}, and RabbitMQ's own {@code
     * message-id} (alias {@code messageid}). Example: {@code header:order-key,message-id}.
     *
     * @throws IllegalArgumentException if the specification names an unknown source or is empty, quoting it and
     *     listing the forms
     */
    public static KeyExtractor<Delivery> parse(String specification) {
        return GRAMMAR.parse(specification);
    }

    private static final KeySpecGrammar<Delivery> GRAMMAR = KeySpecGrammar.<Delivery>builder()
            .header(RabbitKeys::header, DedupHeaders.IDEMPOTENCY_KEY)
            .jsonPointer(RabbitKeys::jsonPointer)
            .contentHash(headers -> contentHash(headers.toArray(String[]::new)))
            .source("message-id", messageId(), "messageid")
            .build();

    private static Object headerValue(Delivery delivery, String name) {
        Map<String, Object> headers = delivery.getProperties().getHeaders();
        return headers == null ? null : headers.get(name);
    }

    private static RawKey headerKey(String name, Object value) {
        if (value instanceof LongString text) {
            return RawKey.ofBytes(text.getBytes()); // AMQP long strings are bytes: not every publisher sends UTF-8
        }
        if (value instanceof byte[] bytes) {
            return RawKey.ofBytes(bytes);
        }
        if (value instanceof String
                || value instanceof Integer
                || value instanceof Long
                || value instanceof Short
                || value instanceof Byte) {
            return RawKey.of(value.toString());
        }
        throw new IdempotencyKeyUnreadableException(
                "header " + name + " holds a " + value.getClass().getSimpleName() + ", not a string or integer");
    }

    /** A header as the content hash frames it: the bytes of its key form (text as UTF-8), or null when absent. */
    private static byte[] headerBytes(Delivery delivery, String name) {
        Object value = headerValue(delivery, name);
        if (value == null) {
            return null;
        }
        RawKey key = headerKey(name, value);
        return key.isBinary() ? key.bytes() : key.text().getBytes(StandardCharsets.UTF_8);
    }
}
