package io.dedup.internal;

import io.dedup.DedupKey;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The canonical stored forms of keys (see {@link DedupKey}). Each space has its own prefix, and no raw text key may
 * start with a reserved one, so the spaces are disjoint:
 *
 * <ul>
 *   <li>raw text: valid UTF-16, at most {@link DedupKey#MAX_RAW_KEY_BYTES} bytes of UTF-8, not starting with
 *       {@value #RESERVED_DIGEST} or {@value #BINARY};
 *   <li>{@value #PREFIX} and the base64url SHA-256 of the text's UTF-8: long or reserved-looking text;
 *   <li>{@value #UTF16_PREFIX} and the SHA-256 of the UTF-16BE code units: text that is not valid UTF-16 (a lone
 *       surrogate), which UTF-8 cannot carry (drivers write it as {@code ?});
 *   <li>{@value #BINARY} and the base64url bytes: short binary keys that are not UTF-8 text;
 *   <li>{@value #BINARY_DIGEST_PREFIX} and the SHA-256 of the bytes: longer ones.
 * </ul>
 *
 * <p>Every store keeps the same canonical form, so that a key claimed through one module is the same key through any
 * other (DESIGN §8). Public only for {@link DedupKey} and {@link io.dedup.RawKey}; not API. Thread-safe: stateless.
 */
public final class KeyDigests {
    public static final String PREFIX = "#sha256:";
    static final String RESERVED_DIGEST = "#sha256";
    static final String UTF16_PREFIX = "#sha256-utf16:";
    static final String BINARY = "#bin:";
    static final String BINARY_DIGEST_PREFIX = "#sha256-bin:";
    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

    private KeyDigests() {}

    /** Whether {@code key} is at most {@link DedupKey#MAX_RAW_KEY_BYTES} bytes of UTF-8, without encoding it. */
    public static boolean fitsRaw(String key) {
        int length = key.length();
        if (length * 3 <= DedupKey.MAX_RAW_KEY_BYTES) {
            return true; // no char takes more than 3 bytes; a surrogate pair takes 4 for 2 chars
        }
        if (length > DedupKey.MAX_RAW_KEY_BYTES) {
            return false;
        }
        int bytes = 0;
        for (int i = 0; i < length; i++) {
            char c = key.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(key.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
            if (bytes > DedupKey.MAX_RAW_KEY_BYTES) {
                return false;
            }
        }
        return true;
    }

    /** Whether the id is in one of the digest spaces. */
    public static boolean looksDigested(String key) {
        return key.startsWith(RESERVED_DIGEST);
    }

    /** Whether a raw text key would look like a stored form of another space, so it must be digested. */
    public static boolean reserved(String key) {
        return key.startsWith(RESERVED_DIGEST) || key.startsWith(BINARY);
    }

    /** The index of the first unpaired surrogate, or -1 when the text is valid UTF-16. */
    public static int invalidUtf16At(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return i;
            }
        }
        return -1;
    }

    /** The digest of a text key: of its UTF-8, or, for text that is not valid UTF-16, of its UTF-16 code units. */
    public static String digest(String rawKey) {
        if (invalidUtf16At(rawKey) < 0) {
            return PREFIX + Sha256.base64url(Sha256.of(rawKey.getBytes(StandardCharsets.UTF_8)));
        }
        ByteBuffer units = ByteBuffer.allocate(rawKey.length() * 2); // every char as it is, lone surrogates too
        for (int i = 0; i < rawKey.length(); i++) {
            units.putChar(rawKey.charAt(i));
        }
        return UTF16_PREFIX + Sha256.base64url(Sha256.of(units.array()));
    }

    /**
     * The UTF-8 text the bytes hold, or null when they are not valid UTF-8.
     *
     * <p>Runs for every message whose key is a header. The JDK's own decoding (no decoder object, no buffers) answers
     * first; it replaces malformed input with U+FFFD, so a text without U+FFFD came from valid bytes. Only a text
     * holding U+FFFD — malformed bytes, or a real U+FFFD — goes through the strict decoder to tell which.
     */
    public static String utf8(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        return text.indexOf('\uFFFD') < 0 ? text : strictUtf8(bytes);
    }

    /** The strict decoder: null on malformed input. Package-private for the test that checks the fast path. */
    static String strictUtf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException binary) {
            return null;
        }
    }

    /** The stored form of bytes that are not UTF-8: base64url when it fits, their digest otherwise. */
    public static String binary(byte[] bytes, boolean digestAlways) {
        String raw = BINARY + BASE64URL.encodeToString(bytes);
        return !digestAlways && raw.length() <= DedupKey.MAX_RAW_KEY_BYTES
                ? raw
                : BINARY_DIGEST_PREFIX + Sha256.base64url(Sha256.of(bytes));
    }
}
