package io.dedup.chaos;

import java.util.List;
import java.util.Map;

/** The broker side of a run: where the producer publishes and what the invariants read back. */
interface ChaosBroker extends AutoCloseable {
    /** rabbitmq or kafka, as in the summary. */
    String name();

    /** The consumer settings that point a chaos consumer at this run's queues or topics. */
    Map<String, String> consumerSettings();

    /** Publishes and waits for the broker's acknowledgement. */
    void publish(List<Workload.Message> messages) throws Exception;

    /**
     * Deliveries not yet settled: RabbitMQ messages ready in the work and retry queues; Kafka records past the
     * committed offsets (in the Kafka-to-database mode, past the offsets the database holds).
     */
    long waiting() throws Exception;

    /** Messages on the dead-letter queue or topic. */
    long deadLettered() throws Exception;

    /** How many queues or partitions a workload spreads over. */
    int lanes();
}
