package io.dedup.testkit;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * The child JVM behind a {@link KafkaBroker}: formats the storage once, launches {@code kafka.Kafka} and waits until
 * it answers, stops it gracefully or with SIGKILL, and keeps every run's output in one log file.
 *
 * <p>Not thread-safe by itself: {@link KafkaBroker} calls it under its own lock. Only {@link #reaper()} runs
 * unlocked, from a shutdown hook, and reads the volatile process field alone.
 */
final class BrokerProcess {
    /** How long a format or a start may take on a loaded machine before the broker counts as failed. */
    private static final long READY_TIMEOUT_MS = 60_000;
    /** How long a graceful stop may take before it becomes a SIGKILL. */
    private static final long STOP_TIMEOUT_MS = 30_000;

    /** The broker's working directory: configuration, data and log. */
    private final Path dir;

    private final int port;
    private final String bootstrapServers;
    /** The running child, or the last one; volatile because the shutdown-hook reaper reads it without the lock. */
    private volatile Process process;

    /** A broker run from {@code dir} (which holds its configuration) whose PLAINTEXT listener is on {@code port}. */
    BrokerProcess(Path dir, int port) {
        this.dir = dir;
        this.port = port;
        this.bootstrapServers = "127.0.0.1:" + port;
    }

    /** A thread that kills the child forcibly; for a JVM shutdown hook, so no broker outlives the tests. */
    Thread reaper() {
        return new Thread(
                () -> {
                    Process p = process; // no lock here: a test thread may hold it while the JVM exits
                    if (p != null) {
                        p.destroyForcibly();
                    }
                },
                "kafka-broker-reaper");
    }

    /** Combined output of the format tool and every broker run. */
    Path logFile() {
        return dir.resolve("broker.log");
    }

    /** PID of the running child JVM, or -1 if none is running. */
    long pid() {
        Process p = process;
        return p != null && p.isAlive() ? p.pid() : -1;
    }

    /**
     * {@code kafka.tools.StorageTool format -t ID -c server.properties --standalone}.
     *
     * @throws IllegalStateException if the tool fails; the message has the log's tail
     */
    void format(String clusterId) {
        Process p = spawn(
                "-Xmx128m",
                "kafka.tools.StorageTool",
                "format",
                "-t",
                clusterId,
                "-c",
                "server.properties",
                "--standalone");
        // a fresh directory every start: formatting never meets old data, so any failure is real
        if (!waitFor(p, READY_TIMEOUT_MS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("Kafka storage format failed; log tail:\n" + tail());
        }
    }

    /**
     * Starts the broker and returns once an Admin {@code describeCluster()} names a node.
     *
     * @throws IllegalStateException if it exits or is not ready within 60 s; the message has the log's tail
     */
    void launch() {
        long t0 = System.nanoTime();
        process = spawn("-Xmx512m", KafkaBroker.ChildMain.class.getName(), "server.properties");
        // An Admin client logs a warning per refused connection: wait for the listener first.
        while (System.nanoTime() - t0 < READY_TIMEOUT_MS * 1_000_000 && process.isAlive() && !listening()) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        Map<String, Object> conf = Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                2000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                3000,
                AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG,
                200);
        try (Admin admin = Admin.create(conf)) {
            // the listener accepts before the controller has registered the broker: wait until a node is named
            while (System.nanoTime() - t0 < READY_TIMEOUT_MS * 1_000_000 && process.isAlive()) {
                try {
                    if (!admin.describeCluster()
                            .nodes()
                            .get(3, TimeUnit.SECONDS)
                            .isEmpty()) {
                        System.err.printf(
                                "[KafkaBroker] pid %d ready on %s in %d ms%n",
                                process.pid(), bootstrapServers, (System.nanoTime() - t0) / 1_000_000);
                        return;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                } catch (Exception notYet) {
                    Thread.sleep(100);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // not ready: say whether it died or hung, kill it either way, and show the log's tail
        String why = process.isAlive() ? "not ready in time" : "exited with " + process.exitValue();
        kill();
        throw new IllegalStateException("Kafka broker " + why + "; log tail:\n" + tail());
    }

    /** SIGKILLs the child JVM and waits until it is gone. */
    void kill() {
        Process p = process;
        if (p != null) {
            p.destroyForcibly();
            waitFor(p, STOP_TIMEOUT_MS);
        }
    }

    /** Graceful stop (SIGTERM: controlled shutdown), then SIGKILL after 30 s. */
    void stop() {
        Process p = process;
        if (p != null && p.isAlive()) {
            p.destroy();
            if (!waitFor(p, STOP_TIMEOUT_MS)) {
                kill();
            }
        }
    }

    /** A child JVM in {@link #dir}, kind to 2 cores; stdout+stderr appended to broker.log. */
    private Process spawn(String heap, String mainClass, String... args) {
        String classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> !e.isEmpty())
                .map(e -> Path.of(e).toAbsolutePath().toString())
                .collect(Collectors.joining(File.pathSeparator)); // absolute: the child's cwd differs
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                heap,
                // small, quick to start, and light on a shared two-core machine: the broker is a fixture, not a
                // benchmark subject, and tests start and restart it many times
                "-Xms64m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-XX:-UsePerfData",
                "-Djava.awt.headless=true",
                // whichever logging binding the class path brings, keep the broker log readable
                "-Dlog4j2.configurationFile=log4j2.xml",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
                "-Dorg.slf4j.simpleLogger.showDateTime=true",
                "-Dorg.slf4j.simpleLogger.log.org.apache.kafka.common.config.AbstractConfig=warn",
                "-Dorg.slf4j.simpleLogger.log.state.change.logger=warn",
                "-cp",
                classPath,
                mainClass));
        cmd.addAll(List.of(args));
        try {
            return new ProcessBuilder(cmd)
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether {@code p} ended within {@code millis}; an interrupt ends the wait early (and is kept). */
    private static boolean waitFor(Process p, long millis) {
        try {
            return p.waitFor(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The last 60 lines of the log, for the message of a failed start. */
    private String tail() {
        try {
            List<String> lines = Files.readAllLines(logFile());
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** Whether the PLAINTEXT port accepts a connection yet. */
    private boolean listening() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }
}
