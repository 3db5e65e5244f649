package io.dedup.chaos;

import io.dedup.testkit.ChildJvm;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A {@link ChaosConsumer} in a child JVM that the test controls: started with the test's classpath and the java of
 * {@code java.home}, killed with SIGKILL, stopped and continued with SIGSTOP and SIGCONT, armed to hold at a
 * {@link KillPoint}, or stopped cleanly. Its stdout lines are collected; its stderr goes to a log file. Every child
 * still alive when the test JVM exits is killed.
 */
final class ChildConsumer {
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime()
                .addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly), "chaos-children-kill"));
    }

    private final String id;
    private final Process process;
    private final Path log;
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Writer stdin;
    private volatile boolean paused;

    private ChildConsumer(String id, Process process, Path log) {
        this.id = id;
        this.process = process;
        this.log = log;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread reader = new Thread(this::readStdout, "chaos-child-" + id);
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts a child with {@code settings} as its {@code name=value} arguments; does not wait for it. */
    static ChildConsumer launch(String id, Map<String, String> settings, Path logDirectory) {
        List<String> arguments = new ArrayList<>();
        settings.forEach((name, value) -> arguments.add(name + "=" + value));
        List<String> command = ChildJvm.command(
                "192m",
                List.of(
                        "-Xss512k",
                        "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                        "-Dorg.slf4j.simpleLogger.log.io.dedup=" + System.getProperty("chaos.childLogLevel", "warn"),
                        "-Dorg.slf4j.simpleLogger.log.io.dedup.chaos=info",
                        "-Dorg.slf4j.simpleLogger.showDateTime=true",
                        "-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS"),
                ChaosConsumer.class,
                arguments);
        try {
            Files.createDirectories(logDirectory);
            Path log = logDirectory.resolve(id + ".log");
            Process process = new ProcessBuilder(command)
                    .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
            LIVE.add(process);
            return new ChildConsumer(id, process, log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start chaos consumer " + id, e);
        }
    }

    String id() {
        return id;
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    boolean paused() {
        return paused;
    }

    /** Lines printed so far, in order. */
    List<String> lines() {
        return List.copyOf(lines);
    }

    /**
     * Waits for a stdout line starting with {@code prefix} (counting from line {@code from}).
     *
     * @throws AssertionError if it does not come in time or the child dies first, with the tail of its log
     */
    String awaitLine(String prefix, int from, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (int i = from; i < lines.size(); i++) {
                if (lines.get(i).startsWith(prefix)) {
                    return lines.get(i);
                }
            }
            if (!process.isAlive() && !paused) {
                throw new AssertionError("consumer " + id + " exited with " + process.exitValue() + " before printing "
                        + prefix + "\n" + logTail());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "consumer " + id + " did not print " + prefix + " within " + timeout + "\n" + logTail());
            }
            synchronized (lines) {
                try {
                    lines.wait(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted", e);
                }
            }
        }
    }

    String awaitLine(String prefix, Duration timeout) {
        return awaitLine(prefix, 0, timeout);
    }

    void send(String command) {
        try {
            stdin.write(command + "\n");
            stdin.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("consumer " + id + " does not take commands", e);
        }
    }

    /** SIGKILL, and waits until the process is gone. */
    void kill() {
        process.destroyForcibly();
        awaitExit(Duration.ofSeconds(20));
        paused = false;
    }

    /** SIGSTOP: every thread freezes, as in a long GC pause or a VM migration. */
    void pause() {
        signal("STOP");
        paused = true;
    }

    /** SIGCONT. */
    void resume() {
        signal("CONT");
        paused = false;
    }

    /** Asks for a clean stop; kills the child if it has not exited within {@code timeout}. True when it stopped. */
    boolean stop(Duration timeout) {
        if (!process.isAlive()) {
            return false;
        }
        if (paused) {
            resume();
        }
        try {
            send("STOP");
        } catch (UncheckedIOException e) {
            // it is going away anyway
        }
        boolean clean = awaitExit(timeout) && lines.contains("STOPPED");
        if (process.isAlive()) {
            kill();
        }
        return clean;
    }

    private boolean awaitExit(Duration timeout) {
        try {
            boolean exited = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (exited) {
                LIVE.remove(process);
            }
            return exited;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void signal(String name) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid()))
                    .redirectErrorStream(true)
                    .start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run kill -" + name, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private void readStdout() {
        try (BufferedReader reader =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                lines.add(line);
                synchronized (lines) {
                    lines.notifyAll();
                }
            }
        } catch (IOException e) {
            // the child is gone
        }
    }

    /** The child's log (its stderr). */
    Path log() {
        return log;
    }

    /** The last lines of the child's log, for failure messages. */
    String logTail() {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return "--- last lines of " + log + ":\n"
                    + String.join("\n", all.subList(Math.max(0, all.size() - 40), all.size()));
        } catch (IOException e) {
            return "(no log at " + log + ")";
        }
    }
}
