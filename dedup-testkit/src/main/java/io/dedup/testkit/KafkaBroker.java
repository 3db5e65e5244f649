package io.dedup.testkit;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A real single-node Apache Kafka 4.x broker (KRaft, combined broker+controller) in a child JVM,
 * so tests can SIGKILL it and bring it back on the same ports with the same data.
 *
 * <p>The child runs on this JVM's {@code java.class.path}, i.e. the {@code kafka_2.13} jars Maven
 * resolved for the test: a module that starts the broker declares {@code org.apache.kafka:kafka_2.13}
 * as a test dependency (dedup-testkit only has it as an optional one, so users of the contract kit
 * do not inherit Kafka). With an slf4j binding on that class path ({@code slf4j-simple}, or a
 * log4j2 binding) the broker logs to {@link #logFile()}; without one it runs silently.
 *
 * <p>Thread-safety: lifecycle methods are {@code synchronized} (so {@link #kill()} from another
 * thread waits for a {@link #restart()} in progress); {@link #bootstrapServers()} never changes.
 * The child dies with the test JVM: a shutdown hook kills it on normal exit, and {@link ChildMain}
 * exits when its stdin pipe closes, which also covers a SIGKILLed test JVM.
 */
public final class KafkaBroker implements AutoCloseable {
    /** The {@link #shared} brokers, by their overrides. */
    private static final Map<Map<String, String>, KafkaBroker> SHARED = new HashMap<>();

    private static final long READY_TIMEOUT_MS = 60_000;
    private static final long STOP_TIMEOUT_MS = 30_000;

    /** Port-independent settings: one combined node, RF 1 everywhere, few threads, fast (re)start. */
    private static final String DEFAULTS =
            """
      process.roles=broker,controller
      node.id=1
      controller.listener.names=CONTROLLER
      inter.broker.listener.name=PLAINTEXT
      listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
      num.partitions=1
      auto.create.topics.enable=true
      offsets.topic.replication.factor=1
      # default 50 partitions make the first group join slow
      offsets.topic.num.partitions=1
      transaction.state.log.replication.factor=1
      transaction.state.log.min.isr=1
      transaction.state.log.num.partitions=1
      share.coordinator.state.topic.replication.factor=1
      share.coordinator.state.topic.min.isr=1
      group.initial.rebalance.delay.ms=0
      num.network.threads=1
      num.io.threads=2
      background.threads=2
      num.recovery.threads.per.data.dir=1
      log.cleaner.dedupe.buffer.size=2097152
      log.index.size.max.bytes=1048576
      # after SIGKILL the restarted controller answers DUPLICATE_BROKER_REGISTRATION to the new
      # incarnation until the old broker session expires (default 9 s)
      broker.heartbeat.interval.ms=500
      broker.session.timeout.ms=2000
      """;

    /** Child log4j2 config: INFO to stdout (= broker.log) minus the 500-line config dumps. */
    private static final String LOG4J2 =
            """
      <Configuration shutdownHook="disable"><Appenders><Console name="OUT">
      <PatternLayout pattern="[%d] %p %m (%c)%n"/></Console></Appenders><Loggers>
      <Logger name="org.apache.kafka.common.config.AbstractConfig" level="WARN"/>
      <Logger name="state.change.logger" level="WARN"/>
      <Root level="INFO"><AppenderRef ref="OUT"/></Root></Loggers></Configuration>
      """;

    private final Path dir;
    private final int port;
    private volatile Process process;
    private final Thread shutdownHook = new Thread(
            () -> {
                Process p = process; // no lock here: a test thread may hold it while the JVM exits
                if (p != null) {
                    p.destroyForcibly();
                }
            },
            "kafka-broker-reaper");

    private KafkaBroker(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    /** Same as {@code shared(Map.of())}. */
    public static KafkaBroker shared() {
        return shared(Map.of());
    }

    /**
     * One broker per set of {@code overrides} for the whole JVM, started on first use: the broker tests of a module
     * share it (each with its own uniquely named topics and groups) instead of starting one per test class. Like
     * every broker, it stops when the JVM exits; do not {@link #close()} it.
     *
     * @throws IllegalStateException if it does not start (see {@link #start(Map)})
     */
    public static KafkaBroker shared(Map<String, String> overrides) {
        synchronized (SHARED) {
            return SHARED.computeIfAbsent(Map.copyOf(overrides), KafkaBroker::start);
        }
    }

    /** Same as {@code start(Map.of())}. */
    public static KafkaBroker start() {
        return start(Map.of());
    }

    /**
     * Picks two free 127.0.0.1 ports, formats a fresh temp dir and starts the broker; returns once
     * an Admin {@code describeCluster()} answers.
     *
     * @param overrides extra or overriding {@code server.properties} entries
     * @throws IllegalStateException if not ready within 60 s; the message has the log's tail
     */
    public static KafkaBroker start(Map<String, String> overrides) {
        try {
            Path dir = Files.createTempDirectory("kafka-broker-");
            int port = freePort();
            int controllerPort = freePort();
            Properties p = new Properties();
            p.load(new StringReader(DEFAULTS));
            p.put("controller.quorum.bootstrap.servers", "127.0.0.1:" + controllerPort);
            p.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
            p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
            p.put("log.dirs", dir.resolve("data").toString());
            p.putAll(overrides);
            try (OutputStream out = Files.newOutputStream(dir.resolve("server.properties"))) {
                p.store(out, "written by " + KafkaBroker.class.getName());
            }
            Files.writeString(dir.resolve("log4j2.xml"), LOG4J2);
            KafkaBroker broker = new KafkaBroker(dir, port);
            Runtime.getRuntime().addShutdownHook(broker.shutdownHook);
            try {
                broker.format(Uuid.randomUuid().toString());
                broker.launch();
            } catch (RuntimeException e) {
                broker.close();
                throw e;
            }
            return broker;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code 127.0.0.1:port} of the PLAINTEXT listener; stable across restarts. */
    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /**
     * Publishes {@code records} (String keys and values) with {@code acks=all} and waits until every one is written.
     *
     * @throws org.apache.kafka.common.KafkaException if the broker refuses them
     */
    public void send(List<ProducerRecord<String, String>> records) {
        Map<String, Object> config =
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            for (ProducerRecord<String, String> record : records) {
                producer.send(record);
            }
            producer.flush();
        }
    }

    /**
     * Creates a topic named {@code prefix} plus a random suffix, so that tests sharing the broker never share a
     * topic, and returns its name.
     *
     * @throws IllegalStateException as {@link #createTopic}
     */
    public String createUniqueTopic(String prefix, int partitions) {
        String name = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        createTopic(name, partitions);
        return name;
    }

    /**
     * Creates a topic with {@code partitions} partitions (replication factor 1) and waits until it
     * exists.
     *
     * @throws IllegalStateException if the broker refuses or does not answer within 30 s
     */
    public void createTopic(String name, int partitions) {
        Map<String, Object> conf = Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        try (Admin admin = Admin.create(conf)) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1)))
                    .all()
                    .get(30, TimeUnit.SECONDS);
            awaitLeaders(admin, name);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topic " + name, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not create topic " + name + ": " + e, e);
        }
    }

    /**
     * A created topic's partitions take a moment to be served: metadata may name a leader that is not leading yet,
     * a produce is then refused, and an idempotent producer with batches in flight behind it can stay stuck on
     * OUT_OF_ORDER_SEQUENCE_NUMBER until its delivery timeout (records lost to the test). So wait until every
     * partition answers a request only a leader serves: listing its end offset.
     */
    private static void awaitLeaders(Admin admin, String topic) throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                java.util.Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> ends =
                        new java.util.HashMap<>();
                admin.describeTopics(List.of(topic))
                        .allTopicNames()
                        .get(10, TimeUnit.SECONDS)
                        .get(topic)
                        .partitions()
                        .forEach(p -> ends.put(
                                new org.apache.kafka.common.TopicPartition(topic, p.partition()),
                                org.apache.kafka.clients.admin.OffsetSpec.latest()));
                admin.listOffsets(ends).all().get(10, TimeUnit.SECONDS);
                return;
            } catch (ExecutionException | TimeoutException notYet) {
                if (System.nanoTime() > deadline) {
                    throw new TimeoutException("partitions of " + topic + " are not served after 30 s: " + notYet);
                }
                Thread.sleep(50);
            }
        }
    }

    /** Combined output of the format tool and every broker run; deleted by {@link #close()}. */
    public Path logFile() {
        return dir.resolve("broker.log");
    }

    /** PID of the running child JVM, or -1 if none is running. */
    public synchronized long pid() {
        Process p = process;
        return p != null && p.isAlive() ? p.pid() : -1;
    }

    /** SIGKILLs the child JVM and waits until it is gone; ports and data are kept. */
    public synchronized void kill() {
        Process p = process;
        if (p != null) {
            p.destroyForcibly();
            waitFor(p, STOP_TIMEOUT_MS);
        }
    }

    /** Starts the broker again on the same ports and data (stopping it first if it runs). */
    public synchronized void restart() {
        stop();
        launch();
    }

    /** Graceful stop (SIGTERM: controlled shutdown), then SIGKILL after 30 s; data is kept. */
    public synchronized void stop() {
        Process p = process;
        if (p != null && p.isAlive()) {
            p.destroy();
            if (!waitFor(p, STOP_TIMEOUT_MS)) {
                kill();
            }
        }
    }

    /** {@link #stop()}s the broker and deletes its temp dir. */
    @Override
    public synchronized void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException jvmShuttingDown) {
            // the hook runs anyway
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // best effort
        }
    }

    /** {@code kafka.tools.StorageTool format -t ID -c server.properties --standalone}. */
    private void format(String clusterId) {
        Process p = spawn(
                "-Xmx128m",
                "kafka.tools.StorageTool",
                "format",
                "-t",
                clusterId,
                "-c",
                "server.properties",
                "--standalone");
        if (!waitFor(p, READY_TIMEOUT_MS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("Kafka storage format failed; log tail:\n" + tail());
        }
    }

    private void launch() {
        long t0 = System.nanoTime();
        process = spawn("-Xmx512m", ChildMain.class.getName(), "server.properties");
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
                bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                2000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                3000,
                AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG,
                200);
        try (Admin admin = Admin.create(conf)) {
            while (System.nanoTime() - t0 < READY_TIMEOUT_MS * 1_000_000 && process.isAlive()) {
                try {
                    if (!admin.describeCluster()
                            .nodes()
                            .get(3, TimeUnit.SECONDS)
                            .isEmpty()) {
                        System.err.printf(
                                "[KafkaBroker] pid %d ready on %s in %d ms%n",
                                process.pid(), bootstrapServers(), (System.nanoTime() - t0) / 1_000_000);
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
        String why = process.isAlive() ? "not ready in time" : "exited with " + process.exitValue();
        kill();
        throw new IllegalStateException("Kafka broker " + why + "; log tail:\n" + tail());
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
                "-Xms64m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-XX:-UsePerfData",
                "-Djava.awt.headless=true",
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

    private static boolean waitFor(Process p, long millis) {
        try {
            return p.waitFor(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private String tail() {
        try {
            List<String> lines = Files.readAllLines(logFile());
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private boolean listening() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /**
     * Child entry point: runs {@code kafka.Kafka} and exits on stdin EOF, i.e. once the parent is
     * gone (even SIGKILLed). {@link Process#destroy()} closes that pipe right after its SIGTERM, so
     * EOF must exit normally ({@code System.exit} runs Kafka's shutdown hook), never halt at once.
     */
    public static final class ChildMain {
        public static void main(String[] args) throws Exception {
            Thread watchdog = new Thread(
                    () -> {
                        try {
                            while (System.in.read() >= 0) {
                                // the parent never writes: wait for EOF
                            }
                        } catch (IOException eof) {
                            // same as EOF
                        }
                        Thread halt = new Thread(() -> {
                            try {
                                Thread.sleep(20_000);
                            } catch (InterruptedException ignored) {
                                // halt now
                            }
                            Runtime.getRuntime().halt(137); // backstop if a shutdown hook hangs
                        });
                        halt.setDaemon(true);
                        halt.start();
                        System.exit(143);
                    },
                    "kafka-parent-watchdog");
            watchdog.setDaemon(true);
            watchdog.start();
            kafka.Kafka.main(args);
        }
    }
}
