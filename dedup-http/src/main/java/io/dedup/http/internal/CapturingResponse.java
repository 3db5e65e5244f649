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
    /** The body held back so far; null once it overflowed and the response streams through. */
    private ByteArrayOutputStream held = new ByteArrayOutputStream();
    /** The real response's stream, after an overflow. */
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
     * Sends the held body to the client (after an overflow it is there already; after {@code sendError} the
     * container's page is). Called by the filter only after core recorded the outcome, or decided not to store it.
     */
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

    /** The capture stream; like the container, refuses it once the writer was taken. */
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

    /**
     * Flushing would commit the real response, so while the body is held it only drains the writer into the
     * capture; the application's flush reaches the client only after an overflow.
     */
    @Override
    public void flushBuffer() throws IOException {
        if (writer != null) {
            writer.flush();
        }
        if (held == null) {
            target.flushBuffer();
        }
    }

    /**
     * Committed as the application sees it: only once the body streams through or an error was sent. While the body
     * is held nothing has reached the client, so the application may still reset or redirect.
     */
    @Override
    public boolean isCommitted() {
        return errorSent || (held == null && target.isCommitted());
    }

    /** Discards status, headers and the held body, as the container would before the response is committed. */
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

    /** Drops the held body: the container renders the error page, and the response is not stored. */
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

    /**
     * A redirect made here rather than by the container, as a status and a {@code Location} header, so that it is
     * captured and stored like any response. The location is sent as given (relative locations are valid since RFC
     * 7231).
     */
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

    /**
     * Switches to streaming: the filter's callback may still add headers (nothing is committed yet), then what was
     * held goes out first, so the client gets the bytes in the order written.
     */
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
