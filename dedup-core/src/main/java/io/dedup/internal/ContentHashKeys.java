package io.dedup.internal;

import io.dedup.KeyExtractor;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Content-hash keys ({@code KeyExtractor.contentHash}): SHA-256 over the payload and chosen headers, each framed so
 * that no two inputs collide. Public only for {@link io.dedup.KeyExtractor}; not API.
 *
 * <p>Thread-safe: the extractors it makes keep no state beyond the immutable header names.
 */
public final class ContentHashKeys {
    private ContentHashKeys() {}

    /**
     * An extractor hashing {@code payload} and the {@code headers} read by {@code header}; empty when the payload is
     * null (no content, no key). The header names are encoded once, here, not per message.
     */
    public static <M> KeyExtractor<M> of(
            Function<? super M, byte[]> payload, BiFunction<? super M, String, byte[]> header, List<String> headers) {
        Objects.requireNonNull(payload, "payload");
        List<String> names = List.copyOf(headers);
        byte[][] encodedNames = new byte[names.size()][];
        for (int i = 0; i < names.size(); i++) {
            encodedNames[i] = names.get(i).getBytes(StandardCharsets.UTF_8);
        }
        return message -> {
            byte[] body = payload.apply(message);
            if (body == null) {
                return Optional.empty();
            }
            MessageDigest digest = Sha256.digest();
            frame(digest, body);
            for (int i = 0; i < encodedNames.length; i++) {
                frame(digest, encodedNames[i]);
                byte[] value = header.apply(message, names.get(i));
                // a marker byte tells an absent header from an empty one: they are different messages
                if (value == null) {
                    digest.update((byte) 0);
                } else {
                    digest.update((byte) 1);
                    frame(digest, value);
                }
            }
            return Optional.of(Sha256.base64url(digest.digest()));
        };
    }

    /**
     * Length-prefixed, so that moving bytes from one part to the next (payload "ab" + header "c" against "a" + "bc")
     * changes the hash.
     */
    private static void frame(MessageDigest digest, byte[] bytes) {
        int n = bytes.length;
        digest.update(new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n});
        digest.update(bytes);
    }
}
