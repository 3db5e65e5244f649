package io.dedup.bench.e2e;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.consumer.ConsumerConfig;

/**
 * Everything one arm needs for one measurement: the topic to read, a consumer group and a run id of its own
 * (so its store starts empty and nothing collides with other runs or other users of the same services), the
 * handler, and where to report progress and store timings.
 *
 * <p>Thread-safe: immutable apart from the progress and timings it hands out, which are thread-safe themselves.
 */
public final class ArmRun {
    /** Records per poll for every arm: Kafka's default, stated so all arms poll alike. */
    public static final int MAX_POLL_RECORDS = 500;

    /** Unique per measurement; names the run's group, namespace, tables and keys. */
    private final String runId;

    /** What the run consumes. */
    private final Workload workload;
    /** The Kafka topic to read, or the RabbitMQ queue to drain. */
    private final String topic;

    /** The handler the arm must call; counts its runs for the correctness check. */
    private final BenchHandler handler;
    /** The shared services, with the counted clients. */
    private final BenchServices services;
    /** Done-counting and the clock, for this run alone. */
    private final Progress progress;
    /** Filled by the arm's timed store (or repository) during the run; read by the harness afterwards. */
    private final StoreTimings storeTimings = new StoreTimings();
    /** How long the arm may take to consume everything before the run counts as failed. */
    private final Duration timeout;

    ArmRun(
            String runId,
            Workload workload,
            String topic,
            BenchHandler handler,
            BenchServices services,
            Duration timeout) {
        this.runId = BenchServices.identifier(runId);
        this.workload = Objects.requireNonNull(workload, "workload");
        this.topic = Objects.requireNonNull(topic, "topic");
        this.handler = Objects.requireNonNull(handler, "handler");
        this.services = Objects.requireNonNull(services, "services");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.progress = new Progress(workload.messages());
    }

    /**
     * A lower-case identifier unique to this measurement, usable as (part of) a table name, a Redis key prefix, a
     * dedup namespace or a Camel processor name.
     */
    public String runId() {
        return runId;
    }

    /** The workload this run consumes. */
    public Workload workload() {
        return workload;
    }

    /**
     * The Kafka topic holding the workload's records, to be read from the beginning; for a RabbitMQ arm the queue
     * filled with them for this run.
     */
    public String topic() {
        return topic;
    }

    /** A consumer group no one has used. */
    public String groupId() {
        return "bench-" + runId;
    }

    /** The handler every arm must call for each record it does not drop as a duplicate. */
    public BenchHandler handler() {
        return handler;
    }

    /** The run's shared services. */
    public BenchServices services() {
        return services;
    }

    /** Where the arm reports records done; the harness reads the clock from it. */
    public Progress progress() {
        return progress;
    }

    /** Where the arm times its store calls. */
    public StoreTimings storeTimings() {
        return storeTimings;
    }

    /** How long {@link Arm#consume} may take before the run counts as failed. */
    public Duration timeout() {
        return timeout;
    }

    /**
     * Consumer settings every Kafka arm starts from: this run's group, from the earliest offset, {@link
     * #MAX_POLL_RECORDS} per poll, string deserializers. Arms may add to the copy they get.
     */
    public Map<String, Object> consumerConfig() {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, services.bootstrapServers());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, groupId());
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "bench-" + runId);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, MAX_POLL_RECORDS);
        config.put(
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                "org.apache.kafka.common.serialization.StringDeserializer");
        config.put(
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                "org.apache.kafka.common.serialization.StringDeserializer");
        return config;
    }
}
