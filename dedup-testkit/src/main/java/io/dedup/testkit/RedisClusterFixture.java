package io.dedup.testkit;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A real three-master Redis Cluster for integration tests: three {@code redis-server --cluster-enabled yes}
 * processes on free loopback ports in a temporary directory, joined with {@code redis-cli --cluster create}. Both
 * binaries must be on the PATH (Debian: {@code apt-get install redis-server redis-tools}); a test fails with a
 * message saying so otherwise, never skips.
 *
 * <p>The nodes keep nothing on disk but their cluster configuration, and run with
 * {@code cluster-require-full-coverage no} so that a test may {@link #stopNode stop} one master and see the other
 * two keep answering for their own slots; {@link #startNode} brings it back (empty, with its slots).
 *
 * <pre>{@code
 * static RedisClusterFixture cluster = RedisClusterFixture.start();
 * RedisClusterClient client = RedisClusterClient.create(cluster.seedUri());
 * ...
 * cluster.close(); // kills the nodes, deletes the directory
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class RedisClusterFixture implements AutoCloseable {
    /**
     * Three masters, no replicas: the smallest cluster {@code redis-cli --cluster create} accepts, enough to spread a
     * batch's keys over several nodes so that a store's cross-slot handling is exercised.
     */
    private static final int NODES = 3;
    /** How long a node may take to answer, and the cluster to agree it is ok, before the fixture gives up. */
    private static final Duration READY_WAIT = Duration.ofSeconds(30);

    /** Where the nodes keep their configuration, data and logs; deleted on close. */
    private final Path directory;
    /** The nodes' client ports; each node's cluster bus is on port + 10000. */
    private final List<Integer> ports;
    /** The running node processes by index; an entry is replaced when a test restarts that node. Guarded by this. */
    private final Process[] nodes = new Process[NODES];

    private RedisClusterFixture(Path directory, List<Integer> ports) {
        this.directory = directory;
        this.ports = List.copyOf(ports);
    }

    /**
     * Starts three nodes, joins them and waits until every node reports {@code cluster_state:ok}.
     *
     * @throws IllegalStateException if the binaries are missing or the cluster does not form
     */
    public static RedisClusterFixture start() {
        requireBinary("redis-server");
        requireBinary("redis-cli");
        Path directory;
        try {
            directory = Files.createTempDirectory("dedup-redis-cluster-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a directory for the cluster", e);
        }
        RedisClusterFixture fixture = new RedisClusterFixture(directory, freePorts());
        // Nodes are not children the OS reaps with the JVM: kill them even if a test run is cut short.
        Runtime.getRuntime().addShutdownHook(new Thread(fixture::close, "redis-cluster-fixture-stop"));
        try {
            for (int i = 0; i < NODES; i++) {
                fixture.startProcess(i);
            }
            for (int i = 0; i < NODES; i++) {
                fixture.awaitAnswer(i);
            }
            List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
            fixture.ports.forEach(p -> create.add("127.0.0.1:" + p));
            create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
            // masters only (no replicas): three nodes, every slot owned by exactly one
            String output = run(create, Duration.ofSeconds(60));
            if (!output.contains("[OK] All 16384 slots covered")) {
                throw new IllegalStateException("redis-cli --cluster create did not cover all slots:\n" + output);
            }
            fixture.awaitClusterOk();
            return fixture;
        } catch (RuntimeException e) {
            fixture.close();
            throw e;
        }
    }

    /** The nodes' ports, in start order. */
    public List<Integer> ports() {
        return ports;
    }

    /** {@code redis://127.0.0.1:port} of every node, for a client's seed list. */
    public List<String> uris() {
        return ports.stream().map(p -> "redis://127.0.0.1:" + p).toList();
    }

    /** The first node's URI: enough for a cluster client to discover the others. */
    public String seedUri() {
        return uris().get(0);
    }

    /** Kills node {@code index} (SIGKILL): its slots go unanswered until {@link #startNode}. */
    public void stopNode(int index) {
        Process node = nodes[index];
        if (node != null) {
            node.destroyForcibly();
            try {
                node.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            nodes[index] = null;
        }
    }

    /** Starts node {@code index} again from its cluster configuration and waits until the cluster is whole. */
    public void startNode(int index) {
        if (nodes[index] == null) {
            startProcess(index);
            awaitAnswer(index);
            awaitClusterOk();
        }
    }

    /** Kills every node and deletes the directory. */
    @Override
    public synchronized void close() {
        for (int i = 0; i < NODES; i++) {
            stopNode(i);
        }
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        } catch (IOException e) {
            // a temporary directory left behind is harmless
        }
    }

    /**
     * Starts node {@code index} on its port and directory, without persistence: a restarted node comes back empty, as a
     * node that lost its data would.
     */
    private synchronized void startProcess(int index) {
        int port = ports.get(index);
        List<String> command = List.of(
                "redis-server",
                "--port",
                String.valueOf(port),
                "--bind",
                "127.0.0.1",
                "--cluster-enabled",
                "yes",
                "--cluster-config-file",
                "nodes-" + port + ".conf",
                "--cluster-node-timeout",
                "5000",
                // a dead master must fail only its own slots, not the whole cluster: the store's per-key failure is
                // tested
                "--cluster-require-full-coverage",
                "no",
                "--dir",
                directory.toString(),
                // no persistence: fast to start, and a restarted node comes back empty, like one that lost its disk
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no");
        try {
            nodes[index] = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(directory.resolve("node-" + port + ".log").toFile())
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start redis-server on port " + port, e);
        }
    }

    /**
     * Waits until node {@code index} answers a connection, failing early if its process died.
     *
     * @throws IllegalStateException if it does not answer within {@link #READY_WAIT}; the message names its log
     */
    private void awaitAnswer(int index) {
        int port = ports.get(index);
        long deadline = System.nanoTime() + READY_WAIT.toNanos();
        while (!LocalServices.answers("127.0.0.1", port)) {
            if (System.nanoTime() > deadline || !nodes[index].isAlive()) {
                throw new IllegalStateException("redis-server on port " + port + " did not start; see "
                        + directory.resolve("node-" + port + ".log"));
            }
            pause();
        }
    }

    /**
     * Waits until every node reports {@code cluster_state:ok} and knows all nodes: only then does every slot have an owner
     * the store can reach.
     */
    private void awaitClusterOk() {
        long deadline = System.nanoTime() + READY_WAIT.toNanos();
        for (int port : ports) {
            while (true) {
                String info = run(
                        List.of("redis-cli", "-h", "127.0.0.1", "-p", String.valueOf(port), "cluster", "info"),
                        Duration.ofSeconds(10));
                if (info.contains("cluster_state:ok") && info.contains("cluster_known_nodes:" + NODES)) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the cluster did not become ok on port " + port + ":\n" + info);
                }
                pause();
            }
        }
    }

    /** Ports whose cluster bus port (port + 10000) is free too. */
    private static List<Integer> freePorts() {
        List<Integer> found = new ArrayList<>();
        while (found.size() < NODES) {
            int port = ThreadLocalRandom.current().nextInt(20000, 55000);
            if (!found.contains(port) && free(port) && free(port + 10000)) {
                found.add(port);
            }
        }
        return found;
    }

    /** Whether {@code port} on the loopback interface can be bound right now. */
    private static boolean free(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Fails with what to install when {@code name} is not on the PATH, instead of an obscure process start error. */
    private static void requireBinary(String name) {
        boolean found = Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, name)));
        if (!found) {
            throw new IllegalStateException(name + " is not on the PATH; a Redis Cluster test needs redis-server"
                    + " and redis-cli (Debian: apt-get install redis-server redis-tools)");
        }
    }

    /**
     * Runs {@code command} to its end and returns its combined output.
     *
     * @throws IllegalStateException if it does not finish within {@code timeout} or the thread is interrupted
     */
    private static String run(List<String> command, Duration timeout) {
        try {
            Process process =
                    new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getOutputStream().close();
            String output;
            try (var in = process.getInputStream()) {
                output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish in " + timeout);
            }
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command.stream().collect(Collectors.joining(" ")), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + command.get(0), e);
        }
    }

    private static void pause() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the cluster", e);
        }
    }
}
