package io.dedup.http;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** A real HTTP client for the tests: {@link HttpClient} on HTTP/1.1. */
final class Http {
    static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();

    private Http() {}

    static HttpRequest.Builder request(URI uri, String key, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            request.header(IdempotencyFilter.KEY_HEADER, key);
        }
        return request;
    }

    static HttpResponse<byte[]> send(HttpRequest.Builder request) {
        try {
            return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static HttpResponse<byte[]> post(URI uri, String key, String body, String... headers) {
        HttpRequest.Builder request = request(uri, key, body);
        if (headers.length > 0) {
            request.headers(headers);
        }
        return send(request);
    }

    static CompletableFuture<HttpResponse<byte[]>> postAsync(URI uri, String key, String body) {
        return CLIENT.sendAsync(request(uri, key, body).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static String text(HttpResponse<byte[]> response) {
        return new String(response.body(), java.nio.charset.StandardCharsets.UTF_8);
    }

    static boolean replayed(HttpResponse<?> response) {
        return response.headers()
                .firstValue(IdempotencyFilter.REPLAYED_HEADER)
                .map("true"::equals)
                .orElse(false);
    }
}
