package io.dedup.kafka;

import static io.dedup.kafka.Records.poll;
import static io.dedup.kafka.Records.record;
import static org.assertj.core.api.Assertions.assertThat;

import io.dedup.DedupKey;
import io.dedup.OutcomeStatus;
import io.dedup.memory.InMemoryDedupStore;
import io.dedup.spi.ClaimRequest;
import io.dedup.spi.ClaimResult;
import io.dedup.spi.Completion;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * A record whose key is in progress elsewhere: it keeps its partition in order, and is retried with a back-off that
 * grows and never waits past the holder's lease (a crashed holder's keys are taken over as soon as they are free).
 */
class DeferredRecordTest {
    private static final TopicPartition P0 = new TopicPartition("orders", 0);

    private final InMemoryDedupStore store = InMemoryDedupStore.create();
    private final List<String> handled = new ArrayList<>();

    private KafkaDedup.Builder builder() {
        return KafkaDedup.builder().store(store).groupId("g").deadLetters(dead -> {});
    }

    @Test
    void a_key_in_progress_elsewhere_holds_back_its_partition_and_is_retried_with_a_growing_back_off() {
        try (KafkaDedup dedup = builder().deferBackoff(Duration.ofMillis(300)).build()) {
            DedupKey key = DedupKey.of("g", "held");
            ClaimResult.Acquired other = (ClaimResult.Acquired)
                    store.claim(ClaimRequest.of(key, Duration.ofMinutes(1), Duration.ofHours(1)));
            List<ConsumerRecord<String, String>> poll = List.of(
                    record("orders", 0, 0, "held", "h"),
                    record("orders", 0, 1, "free", "f"),
                    record("orders", 1, 0, "other", "o"));

            List<Duration> waits = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                PollOutcome outcome = dedup.process(poll(poll), r -> handled.add(r.value()));
                assertThat(outcome.records())
                        .extracting(RecordOutcome::status)
                        .containsExactly(
                                RecordStatus.DEFERRED,
                                RecordStatus.NOT_STARTED,
                                i == 0 ? RecordStatus.PROCESSED : RecordStatus.DUPLICATE);
                assertThat(outcome.rewind()).containsExactly(Map.entry(P0, 0L));
                waits.add(outcome.retryAfter().get(P0));
            }
            assertThat(handled).containsExactly("o"); // partition order: "free" waits behind "held"
            assertThat(waits).containsExactly(Duration.ofMillis(300), Duration.ofMillis(600), Duration.ofMillis(1200));
            assertThat(store.find(DedupKey.of("g", "free")).orElseThrow().state())
                    .isEqualTo(io.dedup.spi.RecordState.RELEASED);

            store.complete(new Completion(
                    key, other.claim().token(), OutcomeStatus.SUCCEEDED, new byte[0], Duration.ofHours(1)));
            PollOutcome after = dedup.process(poll(poll.subList(0, 2)), r -> handled.add(r.value()));
            assertThat(after.records())
                    .extracting(RecordOutcome::status)
                    .containsExactly(RecordStatus.DUPLICATE, RecordStatus.PROCESSED);
            assertThat(after.offsetsToCommit()).containsExactly(Map.entry(P0, new OffsetAndMetadata(2)));
            assertThat(handled).containsExactly("o", "f");
        }
    }

    @Test
    void the_wait_for_a_held_key_never_reaches_past_the_holders_lease() {
        try (KafkaDedup dedup = builder().deferBackoff(Duration.ofSeconds(20)).build()) {
            store.claim(ClaimRequest.of(DedupKey.of("g", "held"), Duration.ofSeconds(2), Duration.ofHours(1)));
            PollOutcome outcome =
                    dedup.process(poll(List.of(record("orders", 0, 0, "held", "h"))), r -> handled.add(r.value()));
            assertThat(outcome.records().get(0).status()).isEqualTo(RecordStatus.DEFERRED);
            assertThat(outcome.retryAfter().get(P0)).isLessThanOrEqualTo(Duration.ofMillis(2050));
        }
    }
}
