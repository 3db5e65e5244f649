package io.dedup.bench.e2e;

import com.rabbitmq.client.Connection;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * The header of the results: the machine, the brokers and client versions, the options the run used and the load
 * average before and after it. Figures from a loaded or different machine are not comparable, so every result file
 * carries what is needed to judge whether two runs can be set side by side.
 *
 * <p>Stateless apart from the services it asks for the RabbitMQ version; used once per run, on one thread.
 */
final class RunDescription {
    private RunDescription() {}

    /** The header text (markdown list), for a run of {@code arms} that took {@code totalSeconds}. */
    static String describe(
            BenchOptions options,
            BenchServices services,
            List<Arm> arms,
            double totalSeconds,
            String loadAtStart,
            String loadAtEnd) {
        // the host name tells which machine's figures these are; docs/benchmarks.md compares runs of one machine only
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "unknown host";
        }
        // cores and heap bound what any arm can reach: a reader comparing with another machine needs both
        Runtime runtime = Runtime.getRuntime();
        return String.format(
                Locale.ROOT,
                "End-to-end dedup benchmark, %s mode, %s.%n%n"
                        + "- machine: %s, %d cores, %s %s, Java %s (max heap %d MiB)%n"
                        + "- broker: Kafka (clients %s; KRaft, one node, child JVM), %d partition(s) per topic, %d records"
                        + " per poll%n"
                        + "- arms: %s; %d repetition(s), median shown; %d warm-up records per arm first%n"
                        + "- workloads: %d records (no-op handler), %d records (handler inserts one PostgreSQL row);"
                        + " slow arms (a round trip per message) at most %d%n"
                        + "%s"
                        + "- total time %.0f s; load average (1, 5, 15 min) %s at the start, %s at the end",
                options.quick() ? "quick" : "full",
                ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME),
                host,
                runtime.availableProcessors(),
                System.getProperty("os.name"),
                System.getProperty("os.arch"),
                System.getProperty("java.version"),
                runtime.maxMemory() >> 20,
                kafkaClientsVersion(),
                options.partitions(),
                ArmRun.MAX_POLL_RECORDS,
                String.join(", ", arms.stream().map(Arm::name).toList()),
                options.repetitions(),
                options.warmupMessages(),
                options.messages(),
                options.dbMessages(),
                options.slowMessages(),
                rabbitDescription(services, arms),
                totalSeconds,
                loadAtStart,
                loadAtEnd);
    }

    /**
     * A line on the RabbitMQ arms' broker, or nothing when none ran. The version is asked of the broker itself, so the
     * line is right whichever RabbitMQ the services found.
     */
    private static String rabbitDescription(BenchServices services, List<Arm> arms) {
        if (arms.stream().noneMatch(arm -> arm.broker().equals(NamedArm.RABBITMQ))) {
            return "";
        }
        String version;
        try (Connection connection = services.rabbitConnection("bench-version")) {
            version = String.valueOf(connection.getServerProperties().get("version"));
        } catch (Exception e) {
            version = "(unknown version)";
        }
        return String.format(
                Locale.ROOT,
                "- broker: RabbitMQ %s, a classic non-durable queue per measurement filled before it, prefetch %d%n",
                version,
                RabbitBaselineArm.PREFETCH);
    }

    /**
     * The machine's load average, from {@code /proc/loadavg} (Linux), or "unknown". Taken at the start and the end
     * of the run: a load well above the core count means other work shared the machine, and the figures with it.
     */
    static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return fields[0] + " / " + fields[1] + " / " + fields[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    /**
     * The kafka-clients version, from the properties file the client jar carries: both this library's runner and
     * camel-kafka use it, and a client upgrade moves every Kafka arm's figures.
     */
    private static String kafkaClientsVersion() {
        Properties properties = new Properties();
        try (InputStream in = KafkaConsumer.class.getResourceAsStream("/kafka/kafka-version.properties")) {
            if (in != null) {
                properties.load(in);
            }
        } catch (IOException e) {
            // unknown, below
        }
        return properties.getProperty("version", "(unknown version)");
    }
}
