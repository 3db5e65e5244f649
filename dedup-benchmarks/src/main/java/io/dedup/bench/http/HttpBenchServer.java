package io.dedup.bench.http;

import io.dedup.http.IdempotencyFilter;
import io.dedup.memory.InMemoryDedupStore;
import io.dedup.redis.RedisDedupStore;
import io.dedup.spi.DedupStore;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The server side of {@link HttpBench}, run in its own JVM: Jetty 12 with a small {@code POST /orders} endpoint
 * (reads the body, answers 201 with a short JSON body) behind the filter or not. {@code GET /executions} tells how
 * often the endpoint ran. Prints {@code PORT n} when it listens and stops when its standard input closes.
 *
 * <p>Arguments: arm ({@code none}, {@code memory} or {@code redis}), Redis URI, Redis key prefix, server threads.
 *
 * <p>Thread-safe as the servlet container requires; started and stopped by one thread.
 */
public final class HttpBenchServer {
    private HttpBenchServer() {}

    /**
     * Serves until standard input closes.
     *
     * @throws IllegalArgumentException if the arm is unknown
     * @throws Exception if Jetty cannot start
     */
    public static void main(String[] args) throws Exception {
        String arm = args[0];
        int threads = Integer.parseInt(args[3]);
        AtomicLong executions = new AtomicLong();
        HttpServlet endpoint = new HttpServlet() {
            private static final long serialVersionUID = 1L;

            /**
             * The endpoint under test: counts its execution and answers 201 with a small JSON body, so the filter has a real
             * response to store and replay, and the count shows how often the endpoint really ran.
             */
            @Override
            protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
                byte[] body = request.getInputStream().readAllBytes();
                long n = executions.incrementAndGet();
                byte[] json =
                        ("{\"created\":" + n + ",\"bytes\":" + body.length + "}").getBytes(StandardCharsets.UTF_8);
                response.setStatus(201);
                response.setHeader("Location", "/orders/" + n);
                response.setContentType("application/json");
                response.setContentLength(json.length);
                response.getOutputStream().write(json);
            }

            /** {@code GET /executions}: how often the endpoint ran, read by the load generator after the runs. */
            @Override
            protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
                response.setContentType("text/plain");
                response.getWriter().print(executions.get());
            }
        };

        DedupStore store =
                switch (arm) {
                    case "none" -> null;
                    case "memory" -> InMemoryDedupStore.create();
                    case "redis" -> RedisDedupStore.builder(args[1])
                            .keyPrefix(args[2])
                            .build();
                    default -> throw new IllegalArgumentException("arm must be none, memory or redis, got " + arm);
                };

        // the same pool, queue and timeouts for every arm: only the filter differs between them
        QueuedThreadPool pool = new QueuedThreadPool(threads, Math.min(threads, 16));
        Server server = new Server(pool);
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        // a deep accept queue and long idle timeout: at 10,000 connections the test is the filter, not the backlog
        connector.setAcceptQueueSize(4096);
        connector.setIdleTimeout(300_000);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/");
        context.addServlet(new ServletHolder(endpoint), "/*");
        IdempotencyFilter filter = null;
        // the filter with its defaults on the one path the load generator posts to; the "none" arm has no filter
        if (store != null) {
            filter = IdempotencyFilter.builder(store).pathPatterns("/orders").build();
            context.addFilter(new FilterHolder(filter), "/*", EnumSet.of(DispatcherType.REQUEST));
        }
        server.setHandler(context);
        server.start();
        System.out.println("PORT " + connector.getLocalPort());
        System.out.flush();

        while (System.in.read() >= 0) {
            // run until the parent closes our standard input (or dies)
        }
        // stop accepting before the filter and store close, so no request meets a closed store
        server.stop();
        if (filter != null) {
            filter.close();
        }
        if (store != null) {
            store.close();
        }
        System.exit(0);
    }
}
