package io.dedup.http;

import io.dedup.Claim;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The application behind the filter in tests. It counts its executions per path and answers by path:
 *
 * <ul>
 *   <li>{@code /orders}: 201 with a Location, a JSON body naming the execution and the body it read;
 *   <li>{@code /slow}: like /orders, but first tells {@link #entered} and waits for {@link #release};
 *   <li>{@code /fail}: 500 on the first {@link #failuresLeft} executions, then 200;
 *   <li>{@code /big?bytes=N}: N bytes in 1 KiB writes through the stream, flushing after each;
 *   <li>{@code /writer}: non-ASCII text through the writer, with flushBuffer in between;
 *   <li>{@code /form}: the form parameters it read;
 *   <li>{@code /reset}: writes, resets, writes again, resets the buffer, and writes what counts;
 *   <li>{@code /missing}: {@code sendError(404)}; {@code /redirect}: {@code sendRedirect};
 *   <li>{@code /token}: the fencing token of the claim it runs under.
 * </ul>
 */
class TestApp extends HttpServlet {
    private static final long serialVersionUID = 1L;

    final Map<String, AtomicInteger> executions = new ConcurrentHashMap<>();
    final AtomicInteger failuresLeft = new AtomicInteger();
    volatile CountDownLatch entered = new CountDownLatch(1);
    volatile CountDownLatch release = new CountDownLatch(0);

    int executions(String path) {
        AtomicInteger count = executions.get(path);
        return count == null ? 0 : count.get();
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String path = request.getRequestURI();
        int execution =
                executions.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
        switch (path) {
            case "/slow" -> {
                entered.countDown();
                try {
                    if (!release.await(60, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("the test never released /slow");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException(e);
                }
                created(request, response, execution);
            }
            case "/fail" -> {
                if (failuresLeft.getAndDecrement() > 0) {
                    response.setStatus(500);
                    response.setContentType("text/plain");
                    response.getWriter().print("failed at execution " + execution);
                } else {
                    response.setContentType("text/plain");
                    response.getWriter().print("ok at execution " + execution);
                }
            }
            case "/throw" -> {
                if (failuresLeft.getAndDecrement() > 0) {
                    throw new IOException("thrown at execution " + execution);
                }
                response.setContentType("text/plain");
                response.getWriter().print("ok at execution " + execution);
            }
            case "/big" -> {
                int bytes = Integer.parseInt(request.getParameter("bytes"));
                response.setContentType("application/octet-stream");
                OutputStream out = response.getOutputStream();
                byte[] chunk = new byte[1024];
                for (int written = 0; written < bytes; written += chunk.length) {
                    for (int i = 0; i < chunk.length; i++) {
                        chunk[i] = (byte) (written + i + execution);
                    }
                    out.write(chunk, 0, Math.min(chunk.length, bytes - written));
                    out.flush();
                }
            }
            case "/writer" -> {
                response.setContentType("text/plain");
                response.setCharacterEncoding("UTF-8");
                PrintWriter writer = response.getWriter();
                writer.print("grüße, 世界: execution " + execution + "\n");
                response.flushBuffer();
                writer.print("second part after a flush");
            }
            case "/form" -> {
                response.setContentType("text/plain;charset=UTF-8");
                response.getWriter()
                        .print("name=" + request.getParameter("name") + " city=" + request.getParameter("city"));
            }
            case "/reset" -> {
                response.setStatus(202);
                response.setHeader("ETag", "\"draft\"");
                response.getOutputStream().print("discarded");
                response.reset(); // status, headers and body go
                response.setHeader("ETag", "\"final\"");
                response.getWriter().print("first draft");
                response.resetBuffer(); // the body goes, the header stays
                response.getWriter().print("kept " + execution);
            }
            case "/missing" -> response.sendError(404, "no such thing");
            case "/redirect" -> response.sendRedirect("/orders/" + execution);
            case "/token" -> {
                response.setContentType("text/plain");
                response.getWriter()
                        .print(Claim.current().map(c -> "token " + c.token()).orElse("no claim"));
            }
            default -> created(request, response, execution);
        }
    }

    private static void created(HttpServletRequest request, HttpServletResponse response, int execution)
            throws IOException {
        String body = new String(request.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        IdempotencyKey key = (IdempotencyKey) request.getAttribute(IdempotencyFilter.KEY_ATTRIBUTE);
        response.setStatus(201);
        response.setHeader("Location", "/orders/" + execution);
        response.setHeader("X-Not-Kept", "execution " + execution);
        response.setContentType("application/json");
        byte[] json = ("{\"execution\":" + execution + ",\"read\":\"" + body + "\",\"key\":\""
                        + (key == null ? "" : key.qualified()) + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        response.getOutputStream().write(json);
    }
}
