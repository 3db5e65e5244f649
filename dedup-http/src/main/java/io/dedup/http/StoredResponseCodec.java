package io.dedup.http;

import io.dedup.OutcomeCodec;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stores a {@link StoredResponse} as a compact binary record, never with Java serialization:
 *
 * <pre>
 * 'H' version(1) flags(1: bit 0 = body stored) status(u16)
 * header-lines(u16) { name-length(u16) name(UTF-8) value-length(u16) value(UTF-8) }*
 * body-length(i32) body
 * </pre>
 *
 * A header with several values takes one line per value, in order. Thread-safe and stateless.
 */
public final class StoredResponseCodec implements OutcomeCodec<StoredResponse> {
    private static final byte MAGIC = 'H';
    private static final byte VERSION = 1;
    private static final int MAX_U16 = 0xFFFF;

    /**
     * @throws IllegalArgumentException if the response has more than 65535 header lines or a header name or value
     *     longer than 65535 UTF-8 bytes (lengths are stored as unsigned 16-bit numbers)
     */
    @Override
    public byte[] encode(StoredResponse response) {
        java.util.Objects.requireNonNull(response, "response");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + response.bodyLength());
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(MAGIC);
            out.writeByte(VERSION);
            out.writeByte(response.bodyStored() ? 1 : 0);
            out.writeShort(response.status());
            int lines = 0;
            for (List<String> values : response.headers().values()) {
                lines += values.size();
            }
            if (lines > MAX_U16) {
                throw new IllegalArgumentException("too many header lines to store: " + lines);
            }
            out.writeShort(lines);
            for (Map.Entry<String, List<String>> header : response.headers().entrySet()) {
                for (String value : header.getValue()) {
                    writeText(out, header.getKey());
                    writeText(out, value);
                }
            }
            byte[] body = response.body();
            out.writeInt(body.length);
            out.write(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not throw
        }
        return bytes.toByteArray();
    }

    /**
     * Reads a record written by {@link #encode}. Core reports the exception as an unreadable stored record, which the
     * filter answers with a 500 rather than replaying something else.
     *
     * @throws IllegalArgumentException if the bytes are not a stored response of a known version, or are truncated
     */
    @Override
    public StoredResponse decode(byte[] bytes) {
        java.util.Objects.requireNonNull(bytes, "bytes");
        ByteBuffer in = ByteBuffer.wrap(bytes);
        try {
            if (in.get() != MAGIC) {
                throw new IllegalArgumentException("not a stored HTTP response");
            }
            byte version = in.get();
            if (version != VERSION) {
                throw new IllegalArgumentException("stored HTTP response has unknown version " + version);
            }
            boolean bodyStored = (in.get() & 1) != 0;
            int status = Short.toUnsignedInt(in.getShort());
            int lines = Short.toUnsignedInt(in.getShort());
            Map<String, List<String>> headers = new LinkedHashMap<>();
            for (int i = 0; i < lines; i++) {
                String name = readText(in);
                String value = readText(in);
                headers.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
            }
            int length = in.getInt();
            // exactly the rest: a shorter or longer record is damaged, and replaying part of a body is worse than none
            if (length < 0 || length != in.remaining()) {
                throw new IllegalArgumentException(
                        "stored HTTP response body length " + length + " does not match " + in.remaining() + " bytes");
            }
            byte[] body = new byte[length];
            in.get(body);
            return bodyStored ? StoredResponse.of(status, headers, body) : StoredResponse.withoutBody(status, headers);
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("stored HTTP response is truncated", e);
        }
    }

    /** A length-prefixed UTF-8 string: header names and values may hold any character, and lines carry no separator. */
    private static void writeText(DataOutputStream out, String text) throws IOException {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        if (utf8.length > MAX_U16) {
            throw new IllegalArgumentException("header text longer than " + MAX_U16 + " bytes cannot be stored");
        }
        out.writeShort(utf8.length);
        out.write(utf8);
    }

    private static String readText(ByteBuffer in) {
        int length = Short.toUnsignedInt(in.getShort());
        byte[] utf8 = new byte[length];
        in.get(utf8);
        return new String(utf8, StandardCharsets.UTF_8);
    }
}
