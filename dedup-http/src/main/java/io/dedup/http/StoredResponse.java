package io.dedup.http;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A response as the filter keeps it for replay: status, the chosen headers and the body bytes, exactly as the first
 * request's client received them. When the body was larger than the configured bound it is not kept ({@link
 * #bodyStored()} false, body empty): the key still counts as completed, so the request is not run twice.
 *
 * <p>Immutable and thread-safe: headers and body are copied in and out.
 */
public final class StoredResponse {
    private static final byte[] EMPTY = new byte[0];

    private final int status;
    private final Map<String, List<String>> headers;
    private final byte[] body;
    private final boolean bodyStored;

    private StoredResponse(int status, Map<String, List<String>> headers, byte[] body, boolean bodyStored) {
        this.status = status;
        this.headers = headers;
        this.body = body;
        this.bodyStored = bodyStored;
    }

    /**
     * A response with its body kept.
     *
     * @param headers header names (as the application wrote them) to their values in order
     * @throws IllegalArgumentException if {@code status} is not 100 to 999, or a header has no values
     * @throws NullPointerException if an argument, a header name or a value is null
     */
    public static StoredResponse of(int status, Map<String, List<String>> headers, byte[] body) {
        Objects.requireNonNull(body, "body");
        return new StoredResponse(checkStatus(status), copy(headers), body.length == 0 ? EMPTY : body.clone(), true);
    }

    /**
     * A response whose body was too large to keep: status and headers only.
     *
     * @throws IllegalArgumentException if {@code status} is not 100 to 999, or a header has no values
     */
    public static StoredResponse withoutBody(int status, Map<String, List<String>> headers) {
        return new StoredResponse(checkStatus(status), copy(headers), EMPTY, false);
    }

    /** The HTTP status code, 100 to 999. */
    public int status() {
        return status;
    }

    /** The kept headers, in the order they were written; unmodifiable. */
    public Map<String, List<String>> headers() {
        return headers;
    }

    /** A copy of the body; empty when none was written or it was not kept. */
    public byte[] body() {
        return body.length == 0 ? EMPTY : body.clone();
    }

    /** The body's length in bytes, without copying it; 0 when it was not kept. */
    public int bodyLength() {
        return body.length;
    }

    /** False when the body exceeded the bound and was not kept. */
    public boolean bodyStored() {
        return bodyStored;
    }

    private static int checkStatus(int status) {
        if (status < 100 || status > 999) {
            throw new IllegalArgumentException("status must be 100 to 999, got " + status);
        }
        return status;
    }

    private static Map<String, List<String>> copy(Map<String, List<String>> headers) {
        Objects.requireNonNull(headers, "headers");
        Map<String, List<String>> copy = new LinkedHashMap<>();
        headers.forEach((name, values) -> {
            Objects.requireNonNull(name, "header name");
            Objects.requireNonNull(values, "values of header " + name);
            if (values.isEmpty()) {
                throw new IllegalArgumentException("header " + name + " has no values");
            }
            copy.put(name, List.copyOf(values));
        });
        return Collections.unmodifiableMap(copy);
    }

    /** The values of the kept header with this name (case-insensitive), in order; empty when none was kept. */
    public List<String> header(String name) {
        Objects.requireNonNull(name, "name");
        List<String> values = new ArrayList<>();
        headers.forEach((n, v) -> {
            if (n.equalsIgnoreCase(name)) {
                values.addAll(v);
            }
        });
        return List.copyOf(values);
    }

    /** Equal when status, headers (names as written, values in order), body bytes and the stored flag are. */
    @Override
    public boolean equals(Object o) {
        return o instanceof StoredResponse other
                && status == other.status
                && bodyStored == other.bodyStored
                && headers.equals(other.headers)
                && Arrays.equals(body, other.body);
    }

    @Override
    public int hashCode() {
        return Objects.hash(status, headers, bodyStored, Arrays.hashCode(body));
    }

    @Override
    public String toString() {
        return "StoredResponse[" + status + ", headers " + headers.keySet() + ", "
                + (bodyStored ? body.length + " bytes" : "body not stored") + "]";
    }
}
