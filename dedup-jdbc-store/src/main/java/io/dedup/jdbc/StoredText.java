package io.dedup.jdbc;

import io.dedup.DedupKey;
import java.nio.charset.StandardCharsets;

/**
 * Strings as the database gives them back. Both dialects store UTF-8, which cannot hold a lone surrogate (the
 * encoder writes {@code ?}); keys are normalised the same way before they are written, so that results read back
 * always match their requests.
 */
final class StoredText {
    private StoredText() {}

    static String of(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (Character.isSurrogate(text.charAt(i))) {
                return new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
            }
        }
        return text;
    }

    static DedupKey key(DedupKey key) {
        String namespace = of(key.namespace());
        String id = of(key.id());
        return namespace == key.namespace() && id == key.id() ? key : new DedupKey(namespace, id);
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static String utf8(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }
}
