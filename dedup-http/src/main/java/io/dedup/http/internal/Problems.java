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
     * The answers whose wording does not depend on the request, each sent with {@link #send}. Those the client should
     * retry with the same key (a key in flight, a store outage) carry {@code Retry-After: 1}.
     */
    public enum Answer {
        IN_PROGRESS(
                409,
                "request-in-progress",
                "A request with this Idempotency-Key is in progress",
                "the first request with this key has not finished; retry later",
                true),
        KEY_REUSED(
                422,
                "idempotency-key-reused",
                "Idempotency-Key reused for a different request",
                "this key was used for a request with another method, path, body or fingerprinted header",
                false),
        STORE_UNAVAILABLE(
                503,
                "store-unavailable",
                "Idempotency store unavailable",
                "the request was not run because its Idempotency-Key could not be checked; retry later",
                true),
        KEY_UNUSABLE(
                400,
                "idempotency-key-invalid",
                "Idempotency-Key is invalid",
                "the Idempotency-Key could not be used",
                false),
        CLIENT_UNKNOWN(500, "client-unknown", "Client not identified", "the client could not be told", false),
        /** The cause goes to the server log, not to the client. */
        STORED_RESPONSE_UNREADABLE(
                500, "stored-response-unreadable", "Stored response unreadable", "see the server log", false);

        private final int status;
        private final String type;
        private final String title;
        private final String detail;
        private final boolean retryLater;

        Answer(int status, String type, String title, String detail, boolean retryLater) {
            this.status = status;
            this.type = type;
            this.title = title;
            this.detail = detail;
            this.retryLater = retryLater;
        }

        /**
         * Answers {@code response} with this problem.
         *
         * @throws IllegalStateException if the response is already committed
         */
        public void send(HttpServletResponse response) throws IOException {
            if (retryLater) {
                response.setHeader("Retry-After", "1");
            }
            Problems.send(response, status, type, title, detail);
        }
    }

    /**
     * {@code text} as the inside of a JSON string. Written by hand so that the filter needs no JSON library; the
     * details it escapes may quote a client's path, which must not break out of the string.
     */
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
