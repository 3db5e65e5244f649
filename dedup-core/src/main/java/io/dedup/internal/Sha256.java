package io.dedup.internal;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * SHA-256 with a per-thread digest, because {@link MessageDigest#getInstance} costs more than hashing a short key.
 *
 * <p>Thread-safe: each thread has its own digest.
 */
final class Sha256 {
    private static final ThreadLocal<MessageDigest> DIGEST = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    });
    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

    private Sha256() {}

    /** A digest ready for use, reset. Callers must not hold it across calls of other code that may use it. */
    static MessageDigest digest() {
        MessageDigest digest = DIGEST.get();
        digest.reset();
        return digest;
    }

    /** The digest of {@code bytes}. */
    static byte[] of(byte[] bytes) {
        return digest().digest(bytes);
    }

    /** URL-safe base64 without padding: usable in Redis keys, SQL values and HTTP headers alike. */
    static String base64url(byte[] digest) {
        return BASE64URL.encodeToString(digest);
    }
}
