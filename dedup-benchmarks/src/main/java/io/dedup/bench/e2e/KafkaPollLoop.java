package io.dedup.bench.e2e;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * The plain {@link KafkaConsumer} poll loop of the reference arms (no dedup library): subscribe, poll, hand each
 * non-empty poll to the arm, {@code commitAsync} after it, until every record is done or the run's timeout passes;
 * then one {@code commitSync}. Committing once per poll is what the dedup runner does too, so the references pay the
 * same commit cost as the arm they are compared with.
 *
 * <p>Stateless; each call uses its own consumer on the calling thread.
 */
final class KafkaPollLoop {
    /** How long a poll waits for records; every Kafka arm uses the same, so no arm idles longer on an empty poll. */
    static final Duration POLL = Duration.ofMillis(100);

    /** What an arm does with the records of one poll, on the polling thread. */
    @FunctionalInterface
    interface PollHandler {
        /** Handles (or drops) every record of the poll and reports each one to the run's progress. */
        void handle(ConsumerRecords<String, String> records) throws Exception;
    }

    private KafkaPollLoop() {}

    /**
     * Consumes {@code run}'s topic through {@code perPoll}.
     *
     * @throws java.util.concurrent.TimeoutException if the run's timeout stopped the loop before every record was
     *     done
     * @throws Exception whatever {@code perPoll} throws
     */
    static void consume(ArmRun run, PollHandler perPoll) throws Exception {
        Map<String, Object> config = run.consumerConfig();
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        Progress progress = run.progress();
        long deadline = System.nanoTime() + run.timeout().toNanos();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
            consumer.subscribe(List.of(run.topic()));
            while (progress.deliveredCount() < progress.expected()) {
                if (System.nanoTime() > deadline) {
                    break;
                }
                ConsumerRecords<String, String> records = consumer.poll(POLL);
                if (records.isEmpty()) {
                    continue;
                }
                progress.started();
                perPoll.handle(records);
                // async per poll, one sync at the end: what a plain consumer that cares for throughput does
                consumer.commitAsync();
            }
            progress.awaitAll(Duration.ofMillis(1)); // throws if the deadline stopped the loop
            consumer.commitSync();
        }
    }
}
