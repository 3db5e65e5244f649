package io.dedup.chaos;

import io.dedup.testkit.LocalServices;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A {@code redis-server} of the suite's own on a spare loopback port, so that it can be shut down, killed and
 * restarted without touching the shared server on 6379. It writes an append-only file with {@code appendfsync
 * always}, so a restart (clean or after SIGKILL) keeps every acknowledged write, as a production Redis holding
 * dedup keys should be configured.
 */
final class OwnRedis implements AutoCloseable {
    private final Path directory;
    private final int port;
    private Process process;

    private OwnRedis(Path directory, int port) {
        this.directory = directory;
        this.port = port;
    }

    static OwnRedis start() {
        try {
            int port;
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = socket.getLocalPort();
            }
            OwnRedis redis = new OwnRedis(Files.createTempDirectory("chaos-redis-"), port);
            Runtime.getRuntime().addShutdownHook(new Thread(redis::close, "chaos-redis-stop"));
            redis.startProcess();
            return redis;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start redis-server (apt-get install redis-server)", e);
        }
    }

    int port() {
        return port;
    }

    String uri() {
        return "redis://127.0.0.1:" + port;
    }

    /** SIGTERM: Redis flushes its append-only file and exits. */
    synchronized void shutdown() {
        stopProcess(false);
    }

    /** SIGKILL. */
    synchronized void kill() {
        stopProcess(true);
    }

    /** Starts it again on the same port, from its append-only file. */
    synchronized void restart() {
        startProcess();
    }

    private void startProcess() {
        try {
            process = new ProcessBuilder(List.of(
                            "redis-server",
                            "--port",
                            String.valueOf(port),
                            "--bind",
                            "127.0.0.1",
                            "--dir",
                            directory.toString(),
                            "--save",
                            "",
                            "--appendonly",
                            "yes",
                            "--appendfsync",
                            "always",
                            "--protected-mode",
                            "no"))
                    .redirectErrorStream(true)
                    .redirectOutput(directory.resolve("redis.log").toFile())
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start redis-server (apt-get install redis-server)", e);
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!pong()) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "redis-server on port " + port + " did not start; see " + directory.resolve("redis.log"));
            }
            Pause.millis(50);
        }
    }

    private boolean pong() {
        if (!LocalServices.answers("127.0.0.1", port)) {
            return false;
        }
        try {
            Process ping = new ProcessBuilder("redis-cli", "-p", String.valueOf(port), "ping")
                    .redirectErrorStream(true)
                    .start();
            String answer = new String(ping.getInputStream().readAllBytes()).trim();
            ping.waitFor(5, TimeUnit.SECONDS);
            return answer.equals("PONG");
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void stopProcess(boolean kill) {
        if (process == null) {
            return;
        }
        if (kill) {
            process.destroyForcibly();
        } else {
            process.destroy();
        }
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    @Override
    public synchronized void close() {
        stopProcess(true);
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind
        }
    }
}
