package io.dedup.kafka;

import static io.dedup.kafka.Records.record;
import static org.assertj.core.api.Assertions.assertThat;

import io.dedup.memory.InMemoryDedupStore;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * A key repeated within a batch, right behind its first copy, never holds back its partition once the first copy's
 * handler finished, also when core's completion writer records that completion before the batch looks at it. Large
 * batches (more than the writer's 512) so that the writer flushes while handlers still run.
 */
class InBatchRepeatTest {
    @Test
    void a_repeat_of_a_key_whose_handler_finished_is_a_duplicate_however_fast_its_completion_was_written() {
        KafkaDedup dedup = KafkaDedup.builder()
                .store(InMemoryDedupStore.create())
                .deadLetters(letters -> {})
                .build();
        try (dedup) {
            long offset = 0;
            for (int round = 0; round < 50; round++) {
                List<ConsumerRecord<String, String>> records = new ArrayList<>();
                for (int i = 0; i < 1500; i++) {
                    String key = "r" + round + "-" + i;
                    records.add(record("orders", 0, offset++, key, "first"));
                    records.add(record("orders", 0, offset++, key, "repeat"));
                }
                PollOutcome outcome = dedup.process(records, r -> {});
                assertThat(outcome.rewind()).as("round %d", round).isEmpty();
                assertThat(outcome.count(RecordStatus.PROCESSED)).isEqualTo(1500);
                assertThat(outcome.count(RecordStatus.DUPLICATE)).isEqualTo(1500);
            }
        }
    }
}
