package io.dedup.http.internal;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Holds back a response's body (written through the output stream or the writer, flushed or not) so that it can be
 * stored and then sent, up to {@code limit} bytes. Past the limit it calls {@code onOverflow} (which may still set
 * headers: nothing is committed yet), sends what it held and streams the rest straight through; the body is then not
 * stored. Status and headers go to the real response as they are set: it stays uncommitted while the body is held.
 *
 * <p>{@code sendError} goes to the real response at once (the container renders its body, which cannot be captured);
 * such a response is never stored. {@code sendRedirect} becomes a status and a {@code Location} header, so it is.
 *
 * <p>Not thread-safe: used by the thread running the request, like the response it wraps.
 */
public final class CapturingResponse extends HttpServletResponseWrapper {
    private final HttpServletResponse target;
    private final int limit;
    private final Runnable onOverflow;
    private final Capture capture = new Capture();
    private ByteArrayOutputStream held = new ByteArrayOutputStream();
    private ServletOutputStream through;
    private PrintWriter writer;
    private boolean streamUsed;
    private boolean errorSent;

    public CapturingResponse(HttpServletResponse target, int limit, Runnable onOverflow) {
        super(target);
        this.target = target;
        this.limit = limit;
        this.onOverflow = onOverflow;
    }

    /** Whether the body outgrew the limit and went straight to the client. */
    public boolean overflowed() {
        return held == null;
    }

    /** Whether the application called {@code sendError}: the container renders the body. */
    public boolean errorSent() {
        return errorSent;
    }

    /** The held body; empty after an overflow. */
    public byte[] body() {
        return held == null ? new byte[0] : held.toByteArray();
    }

    /** Pushes what the writer buffers into the capture; call once the application is done. */
    public void finish() {
        if (writer != null) {
            writer.flush();
        }
    }

    /**
     * The headers to store: those named in {@code names} (case-insensitive) as the real response has them.
     * {@code Content-Type} is read with {@code getContentType()}, which includes a charset the writer fixed.
     */
    public Map<String, List<String>> headers(Set<String> lowerCaseNames) {
        Map<String, List<String>> kept = new LinkedHashMap<>();
        String contentType = target.getContentType();
        if (contentType != null && lowerCaseNames.contains("content-type")) {
            kept.put("Content-Type", List.of(contentType));
        }
        Collection<String> names = target.getHeaderNames();
        for (String name : names) {
            String lower = name.toLowerCase(java.util.Locale.ROOT);
            if (lower.equals("content-type") || !lowerCaseNames.contains(lower) || kept.containsKey(name)) {
                continue;
            }
            List<String> values = new ArrayList<>(target.getHeaders(name));
            if (!values.isEmpty()) {
                kept.put(name, values);
            }
        }
        return kept;
    }

    /** Sends the held body to the client (after an overflow it is there already). */
    public void commit() throws IOException {
        finish();
        if (errorSent || held == null) {
            return;
        }
        byte[] body = held.toByteArray();
        target.setContentLength(body.length);
        if (body.length > 0) {
            target.getOutputStream().write(body);
        }
    }

    @Override
    public ServletOutputStream getOutputStream() {
        if (writer != null) {
            throw new IllegalStateException("getWriter() has already been called for this response");
        }
        streamUsed = true;
        return capture;
    }

    @Override
    public PrintWriter getWriter() {
        if (streamUsed) {
            throw new IllegalStateException("getOutputStream() has already been called for this response");
        }
        if (writer == null) {
            String encoding = target.getCharacterEncoding();
            Charset charset = encoding == null ? StandardCharsets.ISO_8859_1 : Charset.forName(encoding);
            // What the container's own getWriter() does: fix the charset so the Content-Type names it.
            target.setCharacterEncoding(charset.name());
            writer = new PrintWriter(new OutputStreamWriter(capture, charset), false);
        }
        return writer;
    }

    @Override
    public void flushBuffer() throws IOException {
        if (writer != null) {
            writer.flush();
        }
        if (held == null) {
            target.flushBuffer();
        }
    }

    @Override
    public boolean isCommitted() {
        return errorSent || (held == null && target.isCommitted());
    }

    @Override
    public void reset() {
        if (held == null || errorSent) {
            target.reset(); // committed: throws IllegalStateException, as the container would
            return;
        }
        target.reset();
        held.reset();
        writer = null;
        streamUsed = false;
    }

    @Override
    public void resetBuffer() {
        if (held == null || errorSent) {
            target.resetBuffer();
            return;
        }
        if (writer != null) {
            writer.flush();
        }
        held.reset();
    }

    @Override
    public void sendError(int sc, String msg) throws IOException {
        discardHeld();
        errorSent = true;
        target.sendError(sc, msg);
    }

    @Override
    public void sendError(int sc) throws IOException {
        discardHeld();
        errorSent = true;
        target.sendError(sc);
    }

    @Override
    public void sendRedirect(String location) throws IOException {
        sendRedirect(location, SC_FOUND, true);
    }

    @Override
    public void sendRedirect(String location, int sc, boolean clearBuffer) throws IOException {
        if (isCommitted()) {
            throw new IllegalStateException("the response is already committed");
        }
        if (clearBuffer) {
            resetBuffer();
        }
        setStatus(sc);
        setHeader("Location", location);
        finish();
    }

    private void discardHeld() {
        if (held != null) {
            held.reset();
        }
    }

    private void overflow() throws IOException {
        onOverflow.run();
        through = target.getOutputStream();
        byte[] sofar = held.toByteArray();
        held = null;
        through.write(sofar);
    }

    /** The stream the application writes to: held in memory up to the limit, then passed through. */
    private final class Capture extends ServletOutputStream {
        @Override
        public void write(int b) throws IOException {
            if (held != null && held.size() + 1 > limit) {
                overflow();
            }
            if (held != null) {
                held.write(b);
            } else {
                through.write(b);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (held != null && (long) held.size() + len > limit) {
                overflow();
            }
            if (held != null) {
                held.write(b, off, len);
            } else {
                through.write(b, off, len);
            }
        }

        @Override
        public void flush() throws IOException {
            if (held == null) {
                through.flush();
            }
        }

        @Override
        public void close() throws IOException {
            if (held == null) {
                through.close();
            }
        }

        @Override
        public boolean isReady() {
            return held != null || through.isReady();
        }

        @Override
        public void setWriteListener(WriteListener listener) {
            throw new IllegalStateException(
                    "non-blocking output is not supported under IdempotencyFilter; register it without async support");
        }
    }
}
