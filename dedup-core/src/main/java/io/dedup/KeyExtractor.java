package io.dedup;

import io.dedup.internal.ContentHashKeys;
import io.dedup.internal.JsonPointerKeys;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Where a message's idempotency key lives. Implementations must be thread-safe and side-effect free.
 *
 * <p>An extractor answers empty when the message has no key there (then {@link #orElse} may try another place,
 * and otherwise the message is rejected with {@link IdempotencyKeyMissingException}), and throws {@link
 * IdempotencyKeyUnreadableException} when the place exists but cannot be read (malformed JSON, say).
 *
 * @param <M> the message type
 */
@FunctionalInterface
public interface KeyExtractor<M> {
    /**
     * The key of {@code message}, or empty when it has none here. An empty string counts as none.
     *
     * @throws IdempotencyKeyUnreadableException if the key's place exists but cannot be read
     */
    Optional<String> extract(M message);

    /** This extractor, and when it finds no key, {@code fallback}. */
    default KeyExtractor<M> orElse(KeyExtractor<? super M> fallback) {
        Objects.requireNonNull(fallback, "fallback");
        return message -> {
            Optional<String> key = extract(message).filter(k -> !k.isEmpty());
            return key.isPresent() ? key : fallback.extract(message);
        };
    }

    /** Keys prefixed with {@code prefix}, for example to keep several message kinds apart within one namespace. */
    default KeyExtractor<M> withPrefix(String prefix) {
        Objects.requireNonNull(prefix, "prefix");
        return message -> extract(message).filter(k -> !k.isEmpty()).map(k -> prefix + k);
    }

    /**
     * The SHA-256 of the payload (base64url, 43 characters): the key of last resort for messages that carry none,
     * which makes byte-identical payloads duplicates of each other. A null payload has no key.
     */
    static <M> KeyExtractor<M> contentHash(Function<? super M, byte[]> payload) {
        return ContentHashKeys.of(payload, (m, name) -> null, List.of());
    }

    /**
     * The SHA-256 of the payload and the named headers (a header's absence is hashed too, so it differs from an
     * empty value).
     */
    static <M> KeyExtractor<M> contentHash(
            Function<? super M, byte[]> payload, BiFunction<? super M, String, byte[]> header, String... headerNames) {
        Objects.requireNonNull(header, "header");
        return ContentHashKeys.of(payload, header, Arrays.asList(headerNames.clone()));
    }

    /**
     * The scalar at {@code pointer} (RFC 6901, e.g. {@code /payment/id}) in a JSON body. Numbers and booleans are
     * keys in their JSON text form. A missing node or JSON null has no key; malformed JSON, an object or an array
     * at the pointer throw {@link IdempotencyKeyUnreadableException} naming the pointer.
     *
     * @throws IllegalArgumentException if {@code pointer} is not a valid JSON Pointer
     */
    static <M> KeyExtractor<M> jsonPointer(Function<? super M, byte[]> body, String pointer) {
        return JsonPointerKeys.of(body, pointer);
    }

    /** Joins the keys of several extractors with {@code separator}; missing if any part is missing. */
    @SafeVarargs
    static <M> KeyExtractor<M> compose(String separator, KeyExtractor<? super M>... parts) {
        Objects.requireNonNull(separator, "separator");
        if (parts.length == 0) {
            throw new IllegalArgumentException("compose needs at least one part");
        }
        List<KeyExtractor<? super M>> list = List.of(parts);
        return message -> {
            StringBuilder key = new StringBuilder();
            for (int i = 0; i < list.size(); i++) {
                Optional<String> part = list.get(i).extract(message);
                if (part.isEmpty() || part.get().isEmpty()) {
                    return Optional.empty();
                }
                if (i > 0) {
                    key.append(separator);
                }
                key.append(part.get());
            }
            return Optional.of(key.toString());
        };
    }

    /** A fixed text, typically composed with another extractor (e.g. a message kind). */
    static <M> KeyExtractor<M> constant(String value) {
        Objects.requireNonNull(value, "value");
        Optional<String> key = Optional.of(value);
        return message -> key;
    }
}
