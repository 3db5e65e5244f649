package io.dedup.http.internal;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Writes RFC 9457 problem details ({@code application/problem+json}) for the answers the filter gives itself.
 * Stateless.
 */
public final class Problems {
    /** The prefix of every problem type the filter answers with. */
    public static final String TYPE_PREFIX = "urn:dedup:http:";

    private Problems() {}

    /**
     * Answers {@code status} with a problem of type {@value #TYPE_PREFIX}{@code type}.
     *
     * @throws IllegalStateException if the response is already committed
     */
    public static void send(HttpServletResponse response, int status, String type, String title, String detail)
            throws IOException {
        // whatever an outer filter or the application wrote before is not part of the problem
        response.resetBuffer();
        response.setStatus(status);
        response.setContentType("application/problem+json");
        response.setCharacterEncoding("UTF-8");
        String json = "{\"type\":\"" + escape(TYPE_PREFIX + type) + "\",\"title\":\"" + escape(title) + "\",\"status\":"
                + status + ",\"detail\":\"" + escape(detail) + "\"}";
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }

    /**
     * {@code text} as the inside of a JSON string. Written by hand so that the filter needs no JSON library; the
     * details it escapes may quote a client's path, which must not break out of the string.
     */
    /**
     * Like {@link #send}, with {@code Retry-After: 1}: the condition (a key in flight, a store outage) is expected to
     * pass, and the client should retry with the same key.
     */
    public static void sendRetryLater(
            HttpServletResponse response, int status, String type, String title, String detail) throws IOException {
        response.setHeader("Retry-After", "1");
        send(response, status, type, title, detail);
    }

    /** A 500 for a stored record that cannot be replayed; the cause goes to the server log, not to the client. */
    public static void sendStoredResponseUnreadable(HttpServletResponse response) throws IOException {
        send(response, 500, "stored-response-unreadable", "Stored response unreadable", "see the server log");
    }

    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length() + 8);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }
}
