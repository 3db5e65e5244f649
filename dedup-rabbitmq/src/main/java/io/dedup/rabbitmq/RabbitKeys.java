package io.dedup.rabbitmq;

import com.rabbitmq.client.Delivery;
import com.rabbitmq.client.LongString;
import io.dedup.IdempotencyKeyUnreadableException;
import io.dedup.KeyExtractor;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
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
     * The named header. Strings and integers are keys in their text form; byte arrays are read as UTF-8, or as
     * {@code base64:} and their base64url text when they are not valid UTF-8. A header of another type (a table, a
     * list, a decimal) is unreadable.
     */
    public static KeyExtractor<Delivery> header(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("header name must not be empty");
        }
        return delivery -> {
            Map<String, Object> headers = delivery.getProperties().getHeaders();
            Object value = headers == null ? null : headers.get(name);
            return value == null ? Optional.empty() : Optional.of(headerText(name, value));
        };
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
     * Parses a key specification as used in properties: a comma-separated chain, tried in order, of {@code
     * message-id}, {@code header} (the {@value DedupHeaders#IDEMPOTENCY_KEY} header), {@code header:NAME}, {@code
     * json:/POINTER} and {@code content-hash}. Example: {@code header:order-key,message-id}.
     *
     * @throws IllegalArgumentException if the specification names an unknown source or is empty
     */
    public static KeyExtractor<Delivery> parse(String specification) {
        Objects.requireNonNull(specification, "specification");
        List<KeyExtractor<Delivery>> chain = new ArrayList<>();
        for (String part : specification.split(",")) {
            String source = part.trim();
            if (!source.isEmpty()) {
                chain.add(single(source));
            }
        }
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("key specification is empty");
        }
        KeyExtractor<Delivery> extractor = chain.get(0);
        for (int i = 1; i < chain.size(); i++) {
            extractor = extractor.orElse(chain.get(i));
        }
        return extractor;
    }

    private static KeyExtractor<Delivery> single(String source) {
        String lower = source.toLowerCase(Locale.ROOT);
        if (lower.equals("message-id") || lower.equals("messageid")) {
            return messageId();
        }
        if (lower.equals("header")) {
            return header();
        }
        if (lower.startsWith("header:")) {
            return header(source.substring("header:".length()));
        }
        if (lower.startsWith("json:")) {
            return jsonPointer(source.substring("json:".length()));
        }
        if (lower.equals("content-hash")) {
            return contentHash();
        }
        throw new IllegalArgumentException("unknown key source '" + source
                + "'; use message-id, header, header:NAME, json:/POINTER or content-hash");
    }

    private static String headerText(String name, Object value) {
        if (value instanceof LongString || value instanceof String) {
            return value.toString();
        }
        if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
            return value.toString();
        }
        if (value instanceof byte[] bytes) {
            try {
                return StandardCharsets.UTF_8
                        .newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(bytes))
                        .toString();
            } catch (CharacterCodingException e) {
                return "base64:" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
            }
        }
        throw new IdempotencyKeyUnreadableException(
                "header " + name + " holds a " + value.getClass().getSimpleName() + ", not a string or integer");
    }
}
