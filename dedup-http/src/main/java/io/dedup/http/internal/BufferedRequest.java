package io.dedup.http.internal;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.Part;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.InputStreamReader;
import java.net.URLDecoder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A request whose body the filter has read (to digest it) and now serves again from memory: the input stream, the
 * reader, and the parameters of an {@code application/x-www-form-urlencoded} body. Multipart bodies cannot be parsed
 * again ({@link #getParts()} throws, naming the cause).
 *
 * <p>Not thread-safe: used by the thread running the request.
 */
public final class BufferedRequest extends HttpServletRequestWrapper {
    private final byte[] body;
    private Map<String, String[]> parameters;

    public BufferedRequest(HttpServletRequest request, byte[] body) {
        super(request);
        this.body = body;
    }

    /** A fresh stream over the buffered body at each call: the filter read the container's stream already. */
    @Override
    public ServletInputStream getInputStream() {
        ByteArrayInputStream in = new ByteArrayInputStream(body);
        return new ServletInputStream() {
            @Override
            public int read() {
                return in.read();
            }

            @Override
            public int read(byte[] b, int off, int len) {
                return in.read(b, off, len);
            }

            @Override
            public boolean isFinished() {
                return in.available() == 0;
            }

            @Override
            public boolean isReady() {
                return true;
            }

            // Non-blocking reads would need the container's stream, which is consumed.
            @Override
            public void setReadListener(ReadListener listener) {
                throw new IllegalStateException(
                        "non-blocking input is not supported under IdempotencyFilter; the body was read already");
            }
        };
    }

    /** In the request's character encoding, or ISO-8859-1, the Servlet specification's default. */
    @Override
    public BufferedReader getReader() {
        return new BufferedReader(new InputStreamReader(getInputStream(), charset(StandardCharsets.ISO_8859_1)));
    }

    @Override
    public String getParameter(String name) {
        String[] values = parameters().get(name);
        return values == null ? null : values[0];
    }

    @Override
    public Map<String, String[]> getParameterMap() {
        return parameters();
    }

    @Override
    public Enumeration<String> getParameterNames() {
        return Collections.enumeration(parameters().keySet());
    }

    @Override
    public String[] getParameterValues(String name) {
        String[] values = parameters().get(name);
        return values == null ? null : values.clone();
    }

    /**
     * Refused: the container parses parts from its own stream, which the filter consumed to digest the body.
     *
     * @throws IllegalStateException always, naming the cause
     */
    @Override
    public Collection<Part> getParts() {
        throw new IllegalStateException(
                "multipart bodies cannot be parsed under IdempotencyFilter: it read the body to digest it");
    }

    @Override
    public Part getPart(String name) {
        return getParts().stream().findFirst().orElse(null);
    }

    /**
     * Parsed once, lazily: an application that never asks for parameters pays nothing. Only a form body is parsed
     * from the buffer; for any other content type the container's parameters (the query string) are right as they
     * are.
     */
    private Map<String, String[]> parameters() {
        if (parameters != null) {
            return parameters;
        }
        String contentType = getContentType();
        if (contentType == null
                || !contentType.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
            parameters = super.getParameterMap(); // query string only: the container does not read the body
            return parameters;
        }
        Map<String, List<String>> merged = new LinkedHashMap<>();
        // Query-string parameters come first, as the Servlet specification orders them.
        parse(getQueryString(), StandardCharsets.UTF_8, merged);
        parse(new String(body, StandardCharsets.ISO_8859_1), charset(StandardCharsets.UTF_8), merged);
        Map<String, String[]> result = new LinkedHashMap<>();
        merged.forEach((name, values) -> result.put(name, values.toArray(new String[0])));
        parameters = Collections.unmodifiableMap(result);
        return parameters;
    }

    /** Adds the {@code name=value} pairs of a form-encoded string; a name without {@code =} has an empty value. */
    private static void parse(String encoded, Charset charset, Map<String, List<String>> into) {
        if (encoded == null || encoded.isEmpty()) {
            return;
        }
        for (String pair : encoded.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            into.computeIfAbsent(decode(name, charset), n -> new ArrayList<>()).add(decode(value, charset));
        }
    }

    /**
     * The ISO-8859-1 text of the raw bytes, percent-decoded, then re-read in {@code charset}. ISO-8859-1 maps each
     * byte to one char and back, so the decoding to bytes loses nothing before the real charset is applied.
     */
    private static String decode(String text, Charset charset) {
        String bytesAsText = URLDecoder.decode(text, StandardCharsets.ISO_8859_1);
        return new String(bytesAsText.getBytes(StandardCharsets.ISO_8859_1), charset);
    }

    /** The request's declared character encoding, or {@code fallback}. */
    private Charset charset(Charset fallback) {
        String encoding = getCharacterEncoding();
        return encoding == null ? fallback : Charset.forName(encoding);
    }
}
