package io.dedup.internal;

import io.dedup.KeyExtractor;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;

/** Content-hash keys: SHA-256 over the payload and chosen headers, each framed so that no two inputs collide. */
public final class ContentHashKeys {
    private ContentHashKeys() {}

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

    private static void frame(MessageDigest digest, byte[] bytes) {
        int n = bytes.length;
        digest.update(new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n});
        digest.update(bytes);
    }
}
