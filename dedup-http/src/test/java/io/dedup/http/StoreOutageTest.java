package io.dedup.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dedup.DedupSettings;
import io.dedup.StoreUnavailablePolicy;
import io.dedup.redis.RedisDedupStore;
import io.dedup.testkit.LocalServices;
import io.dedup.testkit.ServiceEndpoint;
import io.dedup.testkit.TcpProxy;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Redis behind a TCP proxy that is cut: fail-closed answers 503 without running, fail-open runs unguarded. */
class StoreOutageTest {
    private final String prefix = RedisKeys.uniquePrefix("outage");
    private final TestApp app = new TestApp();
    private TcpProxy proxy;
    private RedisDedupStore store;

    @BeforeEach
    void start() {
        ServiceEndpoint redis = LocalServices.redis();
        proxy = TcpProxy.start(redis.host(), redis.port());
        store = RedisDedupStore.builder("redis://127.0.0.1:" + proxy.port())
                .keyPrefix(prefix)
                .commandTimeout(Duration.ofSeconds(1))
                .build();
    }

    @AfterEach
    void stop() {
        store.close();
        proxy.close();
        RedisKeys.deleteAll(prefix);
    }

    private void storeGoesDown() {
        proxy.refuse();
        proxy.cut();
    }

    @Test
    void fail_closed_answers_503_without_running_the_request_and_recovers_with_the_store() {
        try (IdempotencyFilter filter = IdempotencyFilter.builder(store).build();
                TestServer server = TestServer.start(filter, app)) {
            String key = UUID.randomUUID().toString();
            assertThat(Http.post(server.uri("/orders"), key, "x").statusCode()).isEqualTo(201);

            storeGoesDown();
            HttpResponse<byte[]> down =
                    Http.post(server.uri("/orders"), UUID.randomUUID().toString(), "x");
            assertThat(down.statusCode()).isEqualTo(503);
            assertThat(down.headers().firstValue("Content-Type"))
                    .hasValueSatisfying(v -> assertThat(v).startsWith("application/problem+json"));
            assertThat(Http.text(down)).contains("urn:dedup:http:store-unavailable");
            assertThat(down.headers().firstValue("Retry-After")).isPresent();
            // A retry of the completed request is not run again either: its record cannot be read.
            assertThat(Http.post(server.uri("/orders"), key, "x").statusCode()).isEqualTo(503);
            assertThat(app.executions("/orders")).isEqualTo(1);

            proxy.restore();
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> Http.post(server.uri("/orders"), key, "x").statusCode() == 201);
            assertThat(Http.replayed(Http.post(server.uri("/orders"), key, "x")))
                    .isTrue();
            assertThat(app.executions("/orders")).isEqualTo(1);
        }
    }

    @Test
    void fail_open_runs_the_request_unguarded_while_the_store_is_down() {
        try (IdempotencyFilter filter = IdempotencyFilter.builder(store)
                        .settings(DedupSettings.custom()
                                .storeUnavailablePolicy(StoreUnavailablePolicy.FAIL_OPEN)
                                .build())
                        .build();
                TestServer server = TestServer.start(filter, app)) {
            storeGoesDown();
            String key = UUID.randomUUID().toString();
            HttpResponse<byte[]> first = Http.post(server.uri("/orders"), key, "x");
            HttpResponse<byte[]> second = Http.post(server.uri("/orders"), key, "x");
            assertThat(first.statusCode()).isEqualTo(201);
            assertThat(second.statusCode()).isEqualTo(201);
            assertThat(Http.replayed(second)).isFalse();
            assertThat(app.executions("/orders")).isEqualTo(2); // unguarded: the price of fail-open
            // Missing keys are still refused: fail-open concerns the store, not the protocol.
            assertThat(Http.post(server.uri("/orders"), null, "x").statusCode()).isEqualTo(400);
        }
    }
}
