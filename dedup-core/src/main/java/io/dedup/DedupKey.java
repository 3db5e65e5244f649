package io.dedup;

import io.dedup.internal.KeyDigests;
import java.util.Objects;

/**
 * An idempotency key within a namespace, in the form a store keeps it.
 *
 * <p>Keys live in disjoint spaces, so no two different keys share a stored form and every store stores the same
 * form (DESIGN §8). {@link #of(String, String)} keeps a text key as it is when it is valid UTF-16 and at most
 * {@value #MAX_RAW_KEY_BYTES} bytes of UTF-8; otherwise it stores a SHA-256 digest ({@code #sha256:} and the
 * base64url digest of the UTF-8; {@code #sha256-utf16:} for text with an unpaired surrogate, which UTF-8 and so
 * every database and Redis driver would otherwise turn into {@code ?}). {@link #ofBytes(String, byte[])} takes a
 * binary key: bytes that are UTF-8 text are that text key, other bytes are stored as {@code #bin:} and their
 * base64url (or {@code #sha256-bin:} and their digest when longer). A text key that itself starts with {@code
 * #sha256} or {@code #bin:} is digested, so it can collide with neither a digest nor a binary key. {@link
 * #digestOf(String, String)} always digests, for users who keep no raw identifiers at rest.
 *
 * <p>Immutable and thread-safe.
 *
 * @param namespace what the key is unique within (a consumer group, a queue); 1 to {@value #MAX_NAMESPACE_LENGTH}
 *     chars of valid UTF-16
 * @param id the stored key: non-empty, valid UTF-16, at most {@value #MAX_RAW_KEY_BYTES} bytes of UTF-8
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
        int badNamespace = KeyDigests.invalidUtf16At(namespace);
        if (badNamespace >= 0) {
            throw new IllegalArgumentException("namespace is not valid UTF-16 (unpaired surrogate at index "
                    + badNamespace + "); stores would write it as '?'");
        }
        int badId = KeyDigests.invalidUtf16At(id);
        if (badId >= 0) {
            throw new IllegalArgumentException("key id is not valid UTF-16 (unpaired surrogate at index " + badId
                    + "); create keys with DedupKey.of, which digests such keys");
        }
        if (!KeyDigests.fitsRaw(id)) {
            throw new IllegalArgumentException("key id longer than " + MAX_RAW_KEY_BYTES
                    + " bytes of UTF-8; create keys with DedupKey.of, which digests long keys");
        }
    }

    /**
     * The key as stored: raw when short valid UTF-16 text, digested when longer than {@value #MAX_RAW_KEY_BYTES}
     * bytes, not valid UTF-16, or starting with a reserved prefix ({@code #sha256}, {@code #bin:}).
     *
     * @throws IllegalArgumentException if {@code rawKey} is empty or the namespace is invalid
     * @throws NullPointerException if an argument is null
     */
    public static DedupKey of(String namespace, String rawKey) {
        requireKey(namespace, rawKey);
        boolean raw =
                KeyDigests.fitsRaw(rawKey) && !KeyDigests.reserved(rawKey) && KeyDigests.invalidUtf16At(rawKey) < 0;
        return new DedupKey(namespace, raw ? rawKey : KeyDigests.digest(rawKey));
    }

    /**
     * The key as stored whatever its length, as a digest.
     *
     * @throws IllegalArgumentException if {@code rawKey} is empty or the namespace is invalid
     */
    public static DedupKey digestOf(String namespace, String rawKey) {
        requireKey(namespace, rawKey);
        return new DedupKey(namespace, KeyDigests.digest(rawKey));
    }

    /**
     * A binary key (a header or record key given as bytes): bytes that are valid UTF-8 are the same key as that
     * text ({@link #of}); other bytes are stored as {@code #bin:} and their base64url, or as their digest when that
     * would be longer than {@value #MAX_RAW_KEY_BYTES} characters. Never equal to a text key that is not the same
     * UTF-8.
     *
     * @throws IllegalArgumentException if {@code rawKey} is empty or the namespace is invalid
     * @throws NullPointerException if an argument is null
     */
    public static DedupKey ofBytes(String namespace, byte[] rawKey) {
        return fromBytes(namespace, rawKey, false);
    }

    /**
     * {@link #ofBytes} stored as a digest whatever its length.
     *
     * @throws IllegalArgumentException if {@code rawKey} is empty or the namespace is invalid
     */
    public static DedupKey digestOfBytes(String namespace, byte[] rawKey) {
        return fromBytes(namespace, rawKey, true);
    }

    /**
     * Bytes that are UTF-8 text are that text's key, so a key sent as bytes by one producer and as text by another is
     * one key; other bytes have their own stored space.
     */
    private static DedupKey fromBytes(String namespace, byte[] rawKey, boolean digestAlways) {
        Objects.requireNonNull(rawKey, "rawKey");
        String text = KeyDigests.utf8(rawKey);
        if (text != null) {
            return digestAlways ? digestOf(namespace, text) : of(namespace, text);
        }
        return new DedupKey(namespace, KeyDigests.binary(rawKey, digestAlways));
    }

    private static void requireKey(String namespace, String rawKey) {
        Objects.requireNonNull(rawKey, "rawKey");
        if (rawKey.isEmpty()) {
            throw new IllegalArgumentException("idempotency key must not be empty (namespace " + namespace + ")");
        }
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
