package io.dedup.http.internal;

import jakarta.servlet.http.HttpServletRequest;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.List;

/**
 * What makes two requests with one key "the same request": method, path with query, the body's SHA-256 and the
 * chosen headers, each length-prefixed so that no two different requests encode alike. Core digests it again and
 * stores that digest with the claim. Stateless.
 */
public final class RequestFingerprint {
    private RequestFingerprint() {}

    /**
     * The fingerprint bytes. The query string is part of it: {@code POST /pay?amount=5} and {@code ?amount=500} are
     * different requests. The body enters as its digest, so the fingerprint stays small however large the body is.
     * A header's value count is written before its values, so an absent header and an empty one differ.
     */
    public static byte[] of(HttpServletRequest request, String path, byte[] body, List<String> headerNames) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        field(out, request.getMethod());
        field(out, request.getQueryString() == null ? path : path + "?" + request.getQueryString());
        field(out, sha256(body));
        for (String name : headerNames) {
            field(out, name);
            List<String> values = Collections.list(request.getHeaders(name));
            field(out, String.valueOf(values.size()));
            for (String value : values) {
                field(out, value);
            }
        }
        return out.toByteArray();
    }

    private static void field(ByteArrayOutputStream out, String text) {
        field(out, text.getBytes(StandardCharsets.UTF_8));
    }

    /** {@code <length>:<bytes>}: without the length, "ab"+"c" and "a"+"bc" would encode alike. */
    private static void field(ByteArrayOutputStream out, byte[] bytes) {
        out.writeBytes((bytes.length + ":").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(bytes);
    }

    private static byte[] sha256(byte[] body) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(body);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
