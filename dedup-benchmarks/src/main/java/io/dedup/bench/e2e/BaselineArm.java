package io.dedup.bench.e2e;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * The reference: a plain {@link KafkaConsumer} poll loop running the handler for every record, no dedup at all,
 * committing each poll's offsets asynchronously after it is handled (as the dedup runner commits per poll).
 * Duplicates run the handler again, so its handler count is the number of records, not of unique keys.
 *
 * <p>It measures the floor every dedup arm stands on: the broker, the client and the handler. The gap between it
 * and an arm is what that arm's dedup costs. Not thread-safe; one run at a time.
 */
public final class BaselineArm extends StorelessArm {
    /** The {@code baseline} arm. */
    public BaselineArm() {
        super("baseline", KAFKA);
    }

    /** Polls and runs the handler for every record, duplicates included, then commits the poll. */
    @Override
    public void consume(ArmRun run) throws Exception {
        Progress progress = run.progress();
        BenchHandler handler = run.handler();
        KafkaPollLoop.consume(run, records -> {
            for (ConsumerRecord<String, String> record : records) {
                handler.handle(KafkaRecords.key(record), record.value());
                progress.delivered();
            }
        });
    }
}
