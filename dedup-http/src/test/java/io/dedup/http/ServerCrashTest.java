package io.dedup.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dedup.DedupSettings;
import io.dedup.redis.RedisDedupStore;
import io.dedup.testkit.ChildJvm;
import io.dedup.testkit.LocalServices;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A server killed with SIGKILL in the middle of a request (a child JVM, so nothing of it survives but what Redis
 * holds): after its lease lapses, the client's retry runs once on another server, and later retries replay.
 */
class ServerCrashTest {
    private static final long LEASE_MILLIS = 2_000;

    private final String prefix = RedisKeys.uniquePrefix("crash");
    private final String namespace =
            "http-crash-" + UUID.randomUUID().toString().substring(0, 8);
    private Process child;

    @AfterEach
    void cleanUp() {
        if (child != null) {
            child.destroyForcibly();
        }
        RedisKeys.deleteAll(prefix);
    }

    @Test
    void a_request_whose_server_died_runs_once_on_retry_after_the_lease() throws Exception {
        String redis = LocalServices.redis().uri();
        Path log = Files.createTempFile("dedup-http-child", ".log");
        List<String> command = ChildJvm.command(
                "256m",
                List.of(),
                ChildServerMain.class,
                List.of(redis, prefix, namespace, String.valueOf(LEASE_MILLIS)));
        child = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in =
                    new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (java.io.IOException e) {
                // the child died: that is the point
            }
        });
        reader.setDaemon(true);
        reader.start();

        String portLine = lines.poll(60, TimeUnit.SECONDS);
        assertThat(portLine)
                .as("the child server's first line (its log: %s)", log)
                .startsWith("PORT ");
        URI childUri = URI.create("http://127.0.0.1:" + portLine.substring(5) + "/orders");
        String key = UUID.randomUUID().toString();
        CompletableFuture<HttpResponse<byte[]>> lost = Http.postAsync(childUri, key, "pay 10");
        assertThat(lines.poll(60, TimeUnit.SECONDS)).isEqualTo("EXECUTING /orders");

        child.destroyForcibly(); // SIGKILL: no shutdown hook, no release of the key
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(lost).failsWithin(Duration.ofSeconds(30));

        TestApp app = new TestApp();
        try (RedisDedupStore store =
                        RedisDedupStore.builder(redis).keyPrefix(prefix).build();
                IdempotencyFilter filter = IdempotencyFilter.builder(store)
                        .namespace(namespace)
                        .settings(DedupSettings.custom()
                                .lease(Duration.ofMillis(LEASE_MILLIS))
                                .build())
                        .build();
                TestServer survivor = TestServer.start(filter, app)) {
            List<Integer> answers = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        int status = Http.post(survivor.uri("/orders"), key, "pay 10")
                                .statusCode();
                        answers.add(status);
                        return status != 409;
                    });
            // Until the dead server's lease lapsed every retry was told 409; then one ran.
            assertThat(answers.subList(0, answers.size() - 1)).allMatch(status -> status == 409);
            assertThat(answers.get(answers.size() - 1)).isEqualTo(201);
            assertThat(app.executions("/orders")).isEqualTo(1);

            HttpResponse<byte[]> later = Http.post(survivor.uri("/orders"), key, "pay 10");
            assertThat(Http.replayed(later)).isTrue();
            assertThat(app.executions("/orders")).isEqualTo(1);
        }
    }
}
