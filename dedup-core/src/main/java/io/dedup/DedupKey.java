package io.dedup;

import io.dedup.internal.KeyDigests;
import java.util.Objects;

/**
 * An idempotency key within a namespace, in the form a store keeps it.
 *
 * <p>{@link #of(String, String)} keeps a key as it is when it is at most {@value #MAX_RAW_KEY_BYTES} bytes of UTF-8,
 * and otherwise stores its SHA-256 digest ({@code #sha256:} followed by the base64url digest), so stores see
 * bounded keys. {@link #digestOf(String, String)} always digests, for users who keep no raw identifiers at rest.
 * A raw key that itself starts with the digest prefix is digested too, so no raw key can collide with a digest.
 *
 * <p>Immutable and thread-safe.
 *
 * @param namespace what the key is unique within (a consumer group, a queue); 1 to {@value #MAX_NAMESPACE_LENGTH} chars
 * @param id the stored key: non-empty, at most {@value #MAX_RAW_KEY_BYTES} bytes of UTF-8
 */
public record DedupKey(String namespace, String id) {
    /** Keys longer than this many UTF-8 bytes are stored as a digest. */
    public static final int MAX_RAW_KEY_BYTES = 128;
    /** The longest namespace accepted. */
    public static final int MAX_NAMESPACE_LENGTH = 200;

    /**
     * @throws IllegalArgumentException if the namespace or key is empty or too long (use {@link #of})
     */
    public DedupKey {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(id, "id");
        if (namespace.isEmpty() || namespace.length() > MAX_NAMESPACE_LENGTH) {
            throw new IllegalArgumentException(
                    "namespace must be 1 to " + MAX_NAMESPACE_LENGTH + " characters, got " + namespace.length());
        }
        if (id.isEmpty()) {
            throw new IllegalArgumentException("idempotency key must not be empty (namespace " + namespace + ")");
        }
        if (!KeyDigests.fitsRaw(id)) {
            throw new IllegalArgumentException("key id longer than " + MAX_RAW_KEY_BYTES
                    + " bytes of UTF-8; create keys with DedupKey.of, which digests long keys");
        }
    }

    /**
     * The key as stored: raw when short, digested when longer than {@value #MAX_RAW_KEY_BYTES} bytes.
     *
     * @throws IllegalArgumentException if {@code rawKey} is empty or the namespace is invalid
     * @throws NullPointerException if an argument is null
     */
    public static DedupKey of(String namespace, String rawKey) {
        Objects.requireNonNull(rawKey, "rawKey");
        if (rawKey.isEmpty()) {
            throw new IllegalArgumentException("idempotency key must not be empty (namespace " + namespace + ")");
        }
        return new DedupKey(
                namespace,
                KeyDigests.fitsRaw(rawKey) && !KeyDigests.looksDigested(rawKey) ? rawKey : KeyDigests.digest(rawKey));
    }

    /**
     * The key stored as its digest whatever its length.
     *
     * @throws IllegalArgumentException if {@code rawKey} is empty or the namespace is invalid
     */
    public static DedupKey digestOf(String namespace, String rawKey) {
        Objects.requireNonNull(rawKey, "rawKey");
        if (rawKey.isEmpty()) {
            throw new IllegalArgumentException("idempotency key must not be empty (namespace " + namespace + ")");
        }
        return new DedupKey(namespace, KeyDigests.digest(rawKey));
    }

    /** Whether {@link #id()} is a digest rather than the raw key. */
    public boolean isDigest() {
        return KeyDigests.looksDigested(id);
    }

    @Override
    public String toString() {
        return namespace + "/" + id;
    }
}
