package io.dedup.http.internal;

import java.util.Optional;

/**
 * Reads the {@code Idempotency-Key} header. The draft makes it an RFC 8941 sf-string ({@code "abc"}); a bare value
 * is accepted too, as clients often send one. Stateless.
 */
public final class KeyHeader {
    private KeyHeader() {}

    /** The key, or empty when the value is blank, malformed or has characters outside visible ASCII. */
    public static Optional<String> parse(String header) {
        String value = header.strip();
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
            // An sf-string escapes only '"' and '\\'; any other escape, or a bare quote inside, makes it malformed.
            StringBuilder key = new StringBuilder(value.length());
            for (int i = 1; i < value.length() - 1; i++) {
                char c = value.charAt(i);
                if (c == '\\') {
                    if (i + 1 >= value.length() - 1) {
                        return Optional.empty();
                    }
                    char next = value.charAt(++i);
                    if (next != '"' && next != '\\') {
                        return Optional.empty();
                    }
                    key.append(next);
                } else if (c == '"') {
                    return Optional.empty();
                } else {
                    key.append(c);
                }
            }
            value = key.toString();
        }
        if (value.isEmpty()) {
            return Optional.empty();
        }
        // Visible ASCII only, as sf-strings allow: no control characters to smuggle into logs or store keys.
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                return Optional.empty();
            }
        }
        return Optional.of(value);
    }
}
