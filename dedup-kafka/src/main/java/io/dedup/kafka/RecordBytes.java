package io.dedup.kafka;

import io.dedup.IdempotencyKeyUnreadableException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.utils.Bytes;

/** Reads the key, value and headers of a record of any (de)serialized type as bytes or text. */
final class RecordBytes {
    /** Prefix of a key made from bytes that are not UTF-8 text. */
    static final String BINARY_PREFIX = "base64:";

    private RecordBytes() {}

    /**
     * The bytes of a key or value: byte arrays, {@link ByteBuffer}s and Kafka {@link Bytes} as they are, text as
     * UTF-8; null when the object is null.
     *
     * @throws IdempotencyKeyUnreadableException for any other type, naming {@code what}
     */
    static byte[] of(Object value, String what) {
        if (value == null) {
            return null;
        }
        if (value instanceof byte[] bytes) {
            return bytes;
        }
        if (value instanceof CharSequence text) {
            return text.toString().getBytes(StandardCharsets.UTF_8);
        }
        if (value instanceof Bytes bytes) {
            return bytes.get();
        }
        if (value instanceof ByteBuffer buffer) {
            ByteBuffer copy = buffer.duplicate();
            byte[] bytes = new byte[copy.remaining()];
            copy.get(bytes);
            return bytes;
        }
        throw new IdempotencyKeyUnreadableException(
                "the record's " + what + " is a " + value.getClass().getName()
                        + ", not bytes or text; consume it as bytes or String to read a key from it");
    }

    /** A key from bytes: the UTF-8 text when they are valid UTF-8, otherwise {@code base64:} and their base64url. */
    static String text(byte[] bytes) {
        try {
            CharBuffer chars = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes));
            return chars.toString();
        } catch (CharacterCodingException binary) {
            return BINARY_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        }
    }

    /** The value of the last header named {@code name}, or null. */
    static byte[] lastHeader(Iterable<Header> headers, String name) {
        byte[] value = null;
        for (Header header : headers) {
            if (header.key().equals(name)) {
                value = header.value();
            }
        }
        return value;
    }
}
