package io.dedup;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/** Ready-made {@link OutcomeCodec}s. All are thread-safe. */
public final class OutcomeCodecs {
    private static final byte[] EMPTY = new byte[0];
    private static final ObjectMapper DEFAULT_MAPPER =
            new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private OutcomeCodecs() {}

    /** Stores nothing; decodes to null. For handlers whose duplicates need no result. */
    public static <R> OutcomeCodec<R> none() {
        return new OutcomeCodec<>() {
            @Override
            public byte[] encode(R result) {
                return EMPTY;
            }

            @Override
            public R decode(byte[] bytes) {
                return null;
            }
        };
    }

    /** Stores byte arrays as they are (null as empty). */
    public static OutcomeCodec<byte[]> bytes() {
        return new OutcomeCodec<>() {
            @Override
            public byte[] encode(byte[] result) {
                return result == null ? EMPTY : result;
            }

            @Override
            public byte[] decode(byte[] bytes) {
                return bytes;
            }
        };
    }

    /** Stores strings as UTF-8 (null as empty). */
    public static OutcomeCodec<String> utf8() {
        return new OutcomeCodec<>() {
            @Override
            public byte[] encode(String result) {
                return result == null ? EMPTY : result.getBytes(StandardCharsets.UTF_8);
            }

            @Override
            public String decode(byte[] bytes) {
                return new String(bytes, StandardCharsets.UTF_8);
            }
        };
    }

    /** JSON through a Jackson mapper with default typing off: only {@code type} is ever instantiated. */
    public static <R> OutcomeCodec<R> json(Class<R> type) {
        return json(DEFAULT_MAPPER, type);
    }

    /**
     * JSON through the given mapper.
     *
     * @throws IllegalArgumentException if the mapper has default typing enabled, which would let stored bytes
     *     choose the classes to instantiate
     */
    public static <R> OutcomeCodec<R> json(ObjectMapper mapper, Class<R> type) {
        Objects.requireNonNull(mapper, "mapper");
        Objects.requireNonNull(type, "type");
        if (mapper.getDeserializationConfig().getDefaultTyper(mapper.constructType(Object.class)) != null) {
            throw new IllegalArgumentException(
                    "mapper has default typing enabled; dedup refuses it for stored outcomes");
        }
        return new OutcomeCodec<>() {
            @Override
            public byte[] encode(R result) {
                try {
                    return result == null ? EMPTY : mapper.writeValueAsBytes(result);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot encode " + type.getName() + " as JSON", e);
                }
            }

            @Override
            public R decode(byte[] bytes) {
                if (bytes.length == 0) {
                    return null;
                }
                try {
                    return mapper.readValue(bytes, type);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot decode stored outcome as " + type.getName(), e);
                }
            }
        };
    }
}
