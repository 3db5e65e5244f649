package io.dedup.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.serialization.Deserializer;

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
 *
 * <p>This class is the lifecycle a test sees; the child process is {@link BrokerProcess}, its configuration {@link
 * KafkaBrokerConfig}, and the topic, producer and consumer calls {@link BrokerTopics}.
 */
public final class KafkaBroker implements AutoCloseable {
    /** The {@link #shared} brokers, by their overrides. */
    private static final Map<Map<String, String>, KafkaBroker> SHARED = new HashMap<>();

    /** The temp directory holding configuration, data and log; deleted by {@link #close()}. */
    private final Path dir;
    /** The PLAINTEXT port, chosen at start and kept across restarts so clients reconnect to the same address. */
    private final int port;
    /** The child JVM; every lifecycle call reaches it under this broker's lock. */
    private final BrokerProcess process;
    /** Kills the child when this JVM exits, so no broker outlives the test run. */
    private final Thread shutdownHook;

    private KafkaBroker(Path dir, int port) {
        this.dir = dir;
        this.port = port;
        this.process = new BrokerProcess(dir, port);
        this.shutdownHook = process.reaper();
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
            // the controller gets a port of its own; only the PLAINTEXT one is handed to clients
            KafkaBrokerConfig.write(dir, port, freePort(), overrides);
            KafkaBroker broker = new KafkaBroker(dir, port);
            // registered before the first start: a test JVM that dies during start-up still takes the child along
            Runtime.getRuntime().addShutdownHook(broker.shutdownHook);
            try {
                broker.process.format(Uuid.randomUuid().toString());
                broker.process.launch();
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
        BrokerTopics.send(bootstrapServers(), records);
    }

    /**
     * Reads {@code count} records of {@code topic} from its beginning, with a consumer group of its own so no test's
     * offsets move, waiting up to a minute for them; returns fewer if fewer came, for the test to assert.
     *
     * @param keys the records' key deserializer; closed with the consumer
     * @param values the records' value deserializer; closed with the consumer
     */
    public <K, V> List<ConsumerRecord<K, V>> read(
            String topic, int count, Deserializer<K> keys, Deserializer<V> values) {
        return BrokerTopics.read(bootstrapServers(), topic, count, keys, values);
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
     * Creates a topic with {@code partitions} partitions (replication factor 1) and waits until every partition is
     * served by its leader, so the first produce is not refused.
     *
     * @throws IllegalStateException if the broker refuses or does not answer within 30 s
     */
    public void createTopic(String name, int partitions) {
        BrokerTopics.create(bootstrapServers(), name, partitions);
    }

    /** Combined output of the format tool and every broker run; deleted by {@link #close()}. */
    public Path logFile() {
        return process.logFile();
    }

    /** PID of the running child JVM, or -1 if none is running. */
    public synchronized long pid() {
        return process.pid();
    }

    /** SIGKILLs the child JVM and waits until it is gone; ports and data are kept. */
    public synchronized void kill() {
        process.kill();
    }

    /**
     * Starts the broker again on the same ports and data (stopping it first if it runs).
     *
     * @throws IllegalStateException if it is not ready within 60 s
     */
    public synchronized void restart() {
        process.stop();
        process.launch();
    }

    /** Graceful stop (SIGTERM: controlled shutdown), then SIGKILL after 30 s; data is kept. */
    public synchronized void stop() {
        process.stop();
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

    /** A port free on the loopback interface right now (a tiny race with other processes is accepted in tests). */
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
        private ChildMain() {}

        /**
         * Runs the broker with {@code args} ({@code server.properties}) until the parent's pipe closes.
         *
         * @throws Exception whatever {@code kafka.Kafka.main} throws
         */
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
