package io.dedup.http;

import io.dedup.DedupSettings;
import io.dedup.redis.RedisDedupStore;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * The server {@link ServerCrashTest} kills: Jetty with the filter on Redis, whose application announces each
 * execution on stdout and then never finishes. Prints {@code PORT n} once it listens.
 *
 * <p>Arguments: redis URI, key prefix, namespace, lease in milliseconds.
 */
public final class ChildServerMain {
    private ChildServerMain() {}

    public static void main(String[] args) throws Exception {
        RedisDedupStore store =
                RedisDedupStore.builder(args[0]).keyPrefix(args[1]).build();
        IdempotencyFilter filter = IdempotencyFilter.builder(store)
                .namespace(args[2])
                .settings(DedupSettings.custom()
                        .lease(Duration.ofMillis(Long.parseLong(args[3])))
                        .build())
                .build();
        CountDownLatch never = new CountDownLatch(1);
        HttpServlet hanging = new HttpServlet() {
            private static final long serialVersionUID = 1L;

            @Override
            protected void service(HttpServletRequest request, HttpServletResponse response) {
                System.out.println("EXECUTING " + request.getRequestURI());
                System.out.flush();
                try {
                    never.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        TestServer server = TestServer.start(filter, hanging, 16);
        System.out.println("PORT " + server.port());
        System.out.flush();
        never.await();
    }
}
