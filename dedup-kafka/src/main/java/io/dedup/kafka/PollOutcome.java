package io.dedup.kafka;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * What {@link KafkaDedup#process} did with one poll's records, and what the poll loop should do next:
 *
 * <pre>{@code
 * PollOutcome outcome = dedup.process(consumer.poll(timeout), handler);
 * consumer.commitSync(outcome.offsetsToCommit());
 * outcome.rewind().forEach(consumer::seek);        // records not done come again
 * if (outcome.storeUnavailable()) { back off before polling again; }
 * }</pre>
 *
 * <p>Immutable.
 *
 * @param offsetsToCommit per partition, the next offset to read after the contiguous run of done records from the
 *     start of the poll: committing it never skips a record that is not done; partitions with nothing new done are
 *     absent
 * @param rewind per partition that has records not done, the offset of the first one: seek there so they are
 *     delivered again
 * @param retryAfter per partition in {@code rewind}, how long to wait before retrying it (pause it meanwhile);
 *     absent when it may be retried at once
 * @param storeUnavailable whether the store could not be reached for some record: back off before polling again
 * @param records one outcome per record, in the order given
 */
public record PollOutcome(
        Map<TopicPartition, OffsetAndMetadata> offsetsToCommit,
        Map<TopicPartition, Long> rewind,
        Map<TopicPartition, Duration> retryAfter,
        boolean storeUnavailable,
        List<RecordOutcome> records) {
    public PollOutcome {
        offsetsToCommit = Map.copyOf(Objects.requireNonNull(offsetsToCommit, "offsetsToCommit"));
        rewind = Map.copyOf(Objects.requireNonNull(rewind, "rewind"));
        retryAfter = Map.copyOf(Objects.requireNonNull(retryAfter, "retryAfter"));
        records = List.copyOf(Objects.requireNonNull(records, "records"));
    }

    /** Whether every record is done. */
    public boolean allDone() {
        return rewind.isEmpty();
    }

    /** How many records ended with {@code status}. */
    public long count(RecordStatus status) {
        return records.stream().filter(r -> r.status() == status).count();
    }
}
