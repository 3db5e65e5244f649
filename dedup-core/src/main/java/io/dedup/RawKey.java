package io.dedup;

import io.dedup.internal.KeyDigests;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

/**
 * A message's idempotency key as a {@link KeyExtractor} read it, before core gives it its stored form ({@link
 * DedupKey}): text, or bytes that are not UTF-8 text (a binary header or record key).
 *
 * <p>Text and binary keys never share a stored key (DESIGN §8): {@link #ofBytes(byte[])} of bytes that are valid
 * UTF-8 is the text key they spell, so a header sent as UTF-8 bytes and the same header sent as text are one key;
 * any other bytes are a binary key, stored as {@code #bin:} and their base64url (or their digest), which no text key
 * is stored as.
 *
 * <p>Immutable and thread-safe.
 */
public final class RawKey {
    /** Starts the bytes of a composite with a binary part: never valid UTF-8, so never the bytes of a text key. */
    private static final int COMPOSITE_MARK = 0xFF;

    private final String text; // null for a binary key
    private final byte[] bytes; // null for a text key

    private RawKey(String text, byte[] bytes) {
        this.text = text;
        this.bytes = bytes;
    }

    /**
     * A text key.
     *
     * @throws NullPointerException if {@code text} is null
     */
    public static RawKey of(String text) {
        return new RawKey(Objects.requireNonNull(text, "text"), null);
    }

    /**
     * A key given as bytes: the text they spell when they are valid UTF-8, otherwise a binary key. The bytes are
     * copied.
     *
     * @throws NullPointerException if {@code bytes} is null
     */
    public static RawKey ofBytes(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        String utf8 = KeyDigests.utf8(bytes);
        return utf8 != null ? new RawKey(utf8, null) : new RawKey(null, bytes.clone());
    }

    /** Whether this is a binary key (bytes that are not UTF-8 text). */
    public boolean isBinary() {
        return bytes != null;
    }

    /** Whether this is the empty text, which counts as no key. */
    public boolean isEmpty() {
        return text != null && text.isEmpty();
    }

    /**
     * The text of a text key.
     *
     * @throws IllegalStateException if this is a binary key
     */
    public String text() {
        if (text == null) {
            throw new IllegalStateException("a binary key has no text; use bytes()");
        }
        return text;
    }

    /**
     * A copy of the bytes of a binary key.
     *
     * @throws IllegalStateException if this is a text key
     */
    public byte[] bytes() {
        if (bytes == null) {
            throw new IllegalStateException("a text key has no bytes; use text()");
        }
        return bytes.clone();
    }

    /** {@code prefix} and this key: text stays text; a binary key stays binary (the prefix's UTF-8, then its bytes). */
    RawKey withPrefix(String prefix) {
        if (text != null) {
            return of(prefix + text);
        }
        byte[] head = prefix.getBytes(StandardCharsets.UTF_8);
        byte[] joined = Arrays.copyOf(head, head.length + bytes.length);
        System.arraycopy(bytes, 0, joined, head.length, bytes.length);
        return ofBytes(joined); // still not UTF-8: the prefix ends on a character boundary, the bytes stay invalid
    }

    /**
     * The parts joined with {@code separator}. Text parts give their joined text, as before binary keys existed. With
     * a binary part, the result is a binary key holding every part framed (kind, length, content) after a mark byte
     * that UTF-8 never contains: so it is no text key, and two different lists of parts never give the same key.
     */
    static RawKey compose(String separator, List<RawKey> parts) {
        boolean binary = false;
        for (RawKey part : parts) {
            binary |= part.isBinary();
        }
        if (!binary) {
            StringBuilder joined = new StringBuilder();
            for (int i = 0; i < parts.size(); i++) {
                joined.append(i == 0 ? "" : separator).append(parts.get(i).text);
            }
            return of(joined.toString());
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(COMPOSITE_MARK);
        frame(out, 's', utf16(separator));
        for (RawKey part : parts) {
            if (part.isBinary()) {
                frame(out, 'b', part.bytes);
            } else {
                frame(out, 't', utf16(part.text)); // UTF-16 keeps a lone surrogate apart from '?'
            }
        }
        return new RawKey(null, out.toByteArray());
    }

    /** Every char as its two bytes, lone surrogates too (an encoder would replace them). */
    private static byte[] utf16(String text) {
        byte[] units = new byte[text.length() * 2];
        for (int i = 0; i < text.length(); i++) {
            units[2 * i] = (byte) (text.charAt(i) >>> 8);
            units[2 * i + 1] = (byte) text.charAt(i);
        }
        return units;
    }

    private static void frame(ByteArrayOutputStream out, char kind, byte[] content) {
        int n = content.length;
        out.write(kind);
        out.write(n >>> 24);
        out.write(n >>> 16);
        out.write(n >>> 8);
        out.write(n);
        out.writeBytes(content);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof RawKey that && Objects.equals(text, that.text) && Arrays.equals(bytes, that.bytes);
    }

    @Override
    public int hashCode() {
        return text != null ? text.hashCode() : Arrays.hashCode(bytes);
    }

    /** The text, or {@code #bin:} and the base64url of the bytes: for logs and errors, never to be parsed. */
    @Override
    public String toString() {
        return text != null
                ? text
                : "#bin:" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
