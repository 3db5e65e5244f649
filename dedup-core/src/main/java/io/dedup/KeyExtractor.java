package io.dedup;

import io.dedup.internal.ContentHashKeys;
import io.dedup.internal.JsonPointerKeys;
import java.util.ArrayList;
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
 * <p>Keys are text ({@link #extract}) or, for places that hold bytes (a Kafka header, an AMQP byte-array header),
 * a {@link RawKey} that may be binary ({@link #extractRaw}); core stores what {@link #extractRaw} answers, so bytes
 * that are not UTF-8 and text never become the same stored key. Write a text extractor as a lambda, a byte-aware
 * one with {@link #ofRaw}; {@link #orElse}, {@link #withPrefix} and {@link #compose} keep binary keys binary.
 *
 * @param <M> the message type
 */
@FunctionalInterface
public interface KeyExtractor<M> {
    /**
     * The key of {@code message} as text, or empty when it has none here. An empty string counts as none. A binary
     * key is answered in a display form ({@link RawKey#toString()}), which core never stores: it stores {@link
     * #extractRaw}.
     *
     * @throws IdempotencyKeyUnreadableException if the key's place exists but cannot be read
     */
    Optional<String> extract(M message);

    /**
     * The key of {@code message} as core stores it: text, or bytes that are not UTF-8. By default the text of {@link
     * #extract}; extractors made with {@link #ofRaw} answer binary keys too.
     *
     * @throws IdempotencyKeyUnreadableException if the key's place exists but cannot be read
     */
    default Optional<RawKey> extractRaw(M message) {
        return extract(message).map(RawKey::of);
    }

    /**
     * An extractor whose keys may be binary: {@code source} answers the key of a message as a {@link RawKey}
     * (typically {@link RawKey#ofBytes}), or empty. Its {@link #extract} answers the same key as text.
     *
     * @throws NullPointerException if {@code source} is null
     */
    static <M> KeyExtractor<M> ofRaw(Function<? super M, Optional<RawKey>> source) {
        Objects.requireNonNull(source, "source");
        return new KeyExtractor<>() {
            @Override
            public Optional<String> extract(M message) {
                return extractRaw(message).map(RawKey::toString);
            }

            @Override
            public Optional<RawKey> extractRaw(M message) {
                return Objects.requireNonNull(source.apply(message), "a key source answered null, not empty");
            }
        };
    }

    /** This extractor, and when it finds no key, {@code fallback}. */
    default KeyExtractor<M> orElse(KeyExtractor<? super M> fallback) {
        Objects.requireNonNull(fallback, "fallback");
        return ofRaw(message -> {
            Optional<RawKey> key = extractRaw(message).filter(k -> !k.isEmpty());
            return key.isPresent() ? key : fallback.extractRaw(message);
        });
    }

    /**
     * Keys prefixed with {@code prefix}, for example to keep several message kinds apart within one namespace. A
     * binary key stays binary: the prefix's UTF-8, then its bytes.
     */
    default KeyExtractor<M> withPrefix(String prefix) {
        Objects.requireNonNull(prefix, "prefix");
        return ofRaw(message -> extractRaw(message).filter(k -> !k.isEmpty()).map(k -> k.withPrefix(prefix)));
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

    /**
     * Joins the keys of several extractors with {@code separator}; missing if any part is missing. Text parts give
     * their joined text. When a part is binary the key is binary too, and holds each part framed rather than joined,
     * so that it equals no text key and no other list of parts.
     */
    @SafeVarargs
    static <M> KeyExtractor<M> compose(String separator, KeyExtractor<? super M>... parts) {
        Objects.requireNonNull(separator, "separator");
        if (parts.length == 0) {
            throw new IllegalArgumentException("compose needs at least one part");
        }
        List<KeyExtractor<? super M>> list = List.of(parts);
        return ofRaw(message -> {
            List<RawKey> keys = new ArrayList<>(list.size());
            for (KeyExtractor<? super M> extractor : list) {
                Optional<RawKey> part = extractor.extractRaw(message);
                if (part.isEmpty() || part.get().isEmpty()) {
                    return Optional.empty();
                }
                keys.add(part.get());
            }
            return Optional.of(RawKey.compose(separator, keys));
        });
    }

    /** A fixed text, typically composed with another extractor (e.g. a message kind). */
    static <M> KeyExtractor<M> constant(String value) {
        Objects.requireNonNull(value, "value");
        Optional<String> key = Optional.of(value);
        return message -> key;
    }
}
