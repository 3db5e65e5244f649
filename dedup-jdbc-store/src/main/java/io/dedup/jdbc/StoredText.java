package io.dedup.jdbc;

import io.dedup.DedupKey;
import io.dedup.spi.Completion;
import java.nio.charset.StandardCharsets;

/**
 * Strings as the database gives them back. Both dialects store UTF-8, which cannot hold a lone surrogate (the
 * encoder writes {@code ?}); keys are normalised the same way before they are written, so that results read back
 * always match their requests. Stateless.
 */
final class StoredText {
    private StoredText() {}

    /** {@code text} as it reads back from the database: unchanged unless it holds a surrogate. */
    static String of(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (Character.isSurrogate(text.charAt(i))) {
                return new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
            }
        }
        return text;
    }

    /** {@code key} as stored; the same instance when nothing changes, which callers test with {@code ==}. */
    static DedupKey key(DedupKey key) {
        String namespace = of(key.namespace());
        String id = of(key.id());
        return namespace == key.namespace() && id == key.id() ? key : new DedupKey(namespace, id);
    }

    /**
     * {@code completion} for the key as stored ({@code stored}, from {@link #key}); the same instance when that is
     * its own key.
     */
    static Completion completion(Completion completion, DedupKey stored) {
        return stored == completion.key()
                ? completion
                : new Completion(
                        stored, completion.token(), completion.status(), completion.body(), completion.retention());
    }

    /** MariaDB's binary columns take and give UTF-8 bytes. */
    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static String utf8(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }
}
