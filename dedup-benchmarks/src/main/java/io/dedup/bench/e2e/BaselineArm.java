package io.dedup.bench.e2e;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * The reference: a plain {@link KafkaConsumer} poll loop running the handler for every record, no dedup at all,
 * committing each poll's offsets asynchronously after it is handled (as the dedup runner commits per poll).
 * Duplicates run the handler again. Not thread-safe; one run at a time.
 */
public final class BaselineArm implements Arm {
    private static final Duration POLL = Duration.ofMillis(100);

    @Override
    public String name() {
        return "baseline";
    }

    @Override
    public StoreKind store() {
        return StoreKind.NONE;
    }

    @Override
    public String broker() {
        return "kafka";
    }

    @Override
    public void setUp(ArmRun run) {
        // nothing to create: no store
    }

    @Override
    public void consume(ArmRun run) throws Exception {
        Map<String, Object> config = run.consumerConfig();
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        Progress progress = run.progress();
        BenchHandler handler = run.handler();
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
                for (ConsumerRecord<String, String> record : records) {
                    handler.handle(KafkaRecords.key(record), record.value());
                    progress.delivered();
                }
                consumer.commitAsync();
            }
            progress.awaitAll(Duration.ofMillis(1)); // throws if the deadline stopped the loop
            consumer.commitSync();
        }
    }

    @Override
    public void tearDown(ArmRun run) {
        // nothing was created
    }
}
