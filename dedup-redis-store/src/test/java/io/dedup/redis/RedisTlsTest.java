package io.dedup.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dedup.Claim;
import io.dedup.DedupKey;
import io.dedup.DedupStoreUnavailableException;
import io.dedup.OutcomeStatus;
import io.dedup.spi.ClaimRequest;
import io.dedup.spi.ClaimResult;
import io.dedup.spi.Completion;
import io.dedup.spi.WriteResult;
import io.dedup.testkit.LocalServices;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslOptions;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real TLS connection: a redis-server with a TLS port only and a self-signed certificate (made with openssl for
 * 127.0.0.1), started for this class. The store verifies the server against that certificate, and refuses a
 * server it cannot verify.
 */
class RedisTlsTest {
    private static final Duration LONG = Duration.ofMinutes(10);

    private static Path directory;
    private static Process server;
    private static int port;

    @BeforeAll
    static void startTlsServer() throws Exception {
        directory = Files.createTempDirectory("dedup-redis-tls-");
        run(command(
                "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1"
                        + " -addext subjectAltName=IP:127.0.0.1",
                "-keyout",
                directory.resolve("key.pem").toString(),
                "-out",
                directory.resolve("cert.pem").toString()));
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        server = new ProcessBuilder(command(
                        "redis-server --port 0 --bind 127.0.0.1 --tls-auth-clients no --appendonly no --tls-port "
                                + port,
                        "--tls-cert-file",
                        directory.resolve("cert.pem").toString(),
                        "--tls-key-file",
                        directory.resolve("key.pem").toString(),
                        "--save",
                        "",
                        "--dir",
                        directory.toString()))
                .redirectErrorStream(true)
                .redirectOutput(directory.resolve("redis.log").toFile())
                .start();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            if (!server.isAlive()) {
                throw new IllegalStateException("redis-server with TLS did not start (a build without TLS?): "
                        + Files.readString(directory.resolve("redis.log")));
            }
            return LocalServices.answers("127.0.0.1", port);
        });
    }

    @AfterAll
    static void stopTlsServer() throws IOException {
        if (server != null) {
            server.destroyForcibly();
        }
        if (directory != null) {
            try (Stream<Path> files = Files.walk(directory)) {
                files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            }
        }
    }

    @Test
    void a_store_on_a_client_trusting_the_servers_certificate_works_over_tls() {
        RedisClient client = RedisClient.create(RedisURI.create("rediss://127.0.0.1:" + port));
        client.setOptions(ClientOptions.builder()
                .sslOptions(SslOptions.builder()
                        .trustManager(directory.resolve("cert.pem").toFile())
                        .build())
                .build());
        try (RedisDedupStore store = RedisDedupStore.create(client)) {
            DedupKey key = DedupKey.of("tls", "k1");
            Claim claim = ((ClaimResult.Acquired) store.claim(ClaimRequest.of(key, LONG, LONG))).claim();
            assertThat(store.complete(
                            new Completion(key, claim.token(), OutcomeStatus.SUCCEEDED, new byte[] {4}, LONG)))
                    .isEqualTo(WriteResult.APPLIED);
            assertThat(store.claimAll(List.of(
                            ClaimRequest.of(key, LONG, LONG), ClaimRequest.of(DedupKey.of("tls", "k2"), LONG, LONG))))
                    .hasExactlyElementsOfTypes(ClaimResult.Duplicate.class, ClaimResult.Acquired.class);
        } finally {
            client.shutdown();
        }
    }

    @Test
    void a_server_whose_certificate_cannot_be_verified_is_refused_as_unavailable() {
        try (RedisDedupStore store = RedisDedupStore.builder("rediss://127.0.0.1:" + port)
                .commandTimeout(Duration.ofSeconds(5))
                .build()) {
            assertThatThrownBy(() -> store.claim(ClaimRequest.of(DedupKey.of("tls", "untrusted"), LONG, LONG)))
                    .isInstanceOf(DedupStoreUnavailableException.class)
                    .hasMessageContaining("cannot connect");
        }
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IllegalStateException("the TLS test needs " + command.get(0) + " on the PATH", e);
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed:\n" + output);
        }
    }

    /** The words of {@code fixed} (no argument in it has a space), then {@code more} as they are (paths, empty). */
    private static List<String> command(String fixed, String... more) {
        List<String> command = new ArrayList<>(List.of(fixed.split(" ")));
        command.addAll(List.of(more));
        return command;
    }
}
