package io.dedup.kafka.internal;

import io.dedup.IdempotencyKeyUnreadableException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.utils.Bytes;

/**
 * Reads the key, value and headers of a record of any (de)serialized type as bytes or text, for the key extractors
 * of {@code RecordKeys}, which must work on the runner's raw records and on records a user's own loop deserialized.
 *
 * <p>Thread-safe: stateless.
 */
public final class RecordBytes {
    private RecordBytes() {}

    /**
     * The bytes of a key or value: byte arrays, {@link ByteBuffer}s and Kafka {@link Bytes} as they are, text as
     * UTF-8; null when the object is null.
     *
     * @throws IdempotencyKeyUnreadableException for any other type, naming {@code what}
     */
    public static byte[] of(Object value, String what) {
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

    /** The value of the last header named {@code name}, or null. */
    public static byte[] lastHeader(Iterable<Header> headers, String name) {
        byte[] value = null;
        for (Header header : headers) {
            if (header.key().equals(name)) {
                value = header.value();
            }
        }
        return value;
    }
}
