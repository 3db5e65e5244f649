package io.dedup.kafka;

import static io.dedup.kafka.Records.poll;
import static io.dedup.kafka.Records.record;
import static org.assertj.core.api.Assertions.assertThat;

import io.dedup.DeadLetterReason;
import io.dedup.DedupKey;
import io.dedup.FailurePolicy;
import io.dedup.MessageHandler;
import io.dedup.OutcomeStatus;
import io.dedup.spi.ClaimRequest;
import io.dedup.spi.ClaimResult;
import io.dedup.spi.Completion;
import io.dedup.testkit.FaultInjectingStore;
import io.dedup.testkit.FaultInjectingStore.Operation;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class KafkaDedupProcessTest {
    private static final TopicPartition P0 = new TopicPartition("orders", 0);
    private static final TopicPartition P1 = new TopicPartition("orders", 1);

    private final FaultInjectingStore store = FaultInjectingStore.inMemory();
    private final List<DeadLetter> published = new CopyOnWriteArrayList<>();
    private final List<String> handled = new ArrayList<>();
    /** The handler most tests run: it notes each record's value in {@link #handled}. */
    private final MessageHandler<ConsumerRecord<String, String>> noteValue = r -> handled.add(r.value());

    private KafkaDedup.Builder builder() {
        return KafkaDedup.builder()
                .store(store)
                .groupId("g")
                .retries(2, Duration.ZERO, Duration.ZERO)
                .deadLetters(published::addAll);
    }

    @Test
    void duplicates_within_a_poll_and_across_polls_and_partitions_run_the_handler_once() {
        try (KafkaDedup dedup = builder().build()) {
            PollOutcome first = dedup.process(
                    poll(List.of(
                            record("orders", 0, 0, "a", "a0"),
                            record("orders", 0, 1, "b", "b0"),
                            record("orders", 0, 2, "a", "a-again"),
                            record("orders", 1, 0, "b", "b-on-p1"),
                            record("orders", 1, 1, "c", "c0"))),
                    noteValue);
            assertThat(handled).containsExactly("a0", "b0", "c0");
            assertThat(first.offsetsToCommit())
                    .containsExactlyInAnyOrderEntriesOf(
                            Map.of(P0, new OffsetAndMetadata(3), P1, new OffsetAndMetadata(2)));
            assertThat(first.count(RecordStatus.DUPLICATE)).isEqualTo(2);
            assertThat(first.allDone()).isTrue();
            // one claim round trip for the poll: the repeated key is settled by its first record
            assertThat(store.calls(Operation.CLAIM, Operation.CLAIM_ALL)).isEqualTo(1);

            PollOutcome second = dedup.process(poll(List.of(record("orders", 0, 3, "c", "c-again"))), noteValue);
            assertThat(handled).containsExactly("a0", "b0", "c0");
            assertThat(second.records()).extracting(RecordOutcome::status).containsExactly(RecordStatus.DUPLICATE);
            assertThat(second.offsetsToCommit()).containsEntry(P0, new OffsetAndMetadata(4));
        }
    }

    @Test
    void a_key_completed_earlier_and_repeated_within_a_poll_does_not_hold_back_its_partition() {
        try (KafkaDedup dedup = builder().build()) {
            dedup.process(poll(List.of(record("orders", 0, 0, "a", "a0"))), noteValue);
            // "a" is a duplicate of the first poll, twice in this one: neither copy runs, neither waits
            PollOutcome second = dedup.process(
                    poll(List.of(
                            record("orders", 0, 1, "a", "a1"),
                            record("orders", 0, 2, "a", "a2"),
                            record("orders", 0, 3, "d", "d0"))),
                    noteValue);
            assertThat(second.records())
                    .extracting(RecordOutcome::status)
                    .containsExactly(RecordStatus.DUPLICATE, RecordStatus.DUPLICATE, RecordStatus.PROCESSED);
            assertThat(second.rewind()).isEmpty();
            assertThat(second.offsetsToCommit()).containsExactly(Map.entry(P0, new OffsetAndMetadata(4)));
            assertThat(handled).containsExactly("a0", "d0");
        }
    }

    @Test
    void a_failed_handler_holds_back_its_partition_then_goes_to_the_dead_letter_topic() {
        try (KafkaDedup dedup = builder().build()) {
            var poisoned = record("orders", 0, 10, "bad", "boom");
            var behind = record("orders", 0, 11, "next", "next");
            var other = record("orders", 1, 5, "other", "other");
            io.dedup.MessageHandler<ConsumerRecord<String, String>> handler = r -> {
                if (r.value().equals("boom")) {
                    throw new IllegalStateException("cannot ship " + r.value());
                }
                handled.add(r.value());
            };

            PollOutcome first = dedup.process(poll(List.of(poisoned, behind, other)), handler);
            assertThat(first.records())
                    .extracting(RecordOutcome::status)
                    .containsExactly(RecordStatus.RETRY, RecordStatus.NOT_STARTED, RecordStatus.PROCESSED);
            assertThat(handled).containsExactly("other");
            assertThat(first.offsetsToCommit()).containsOnlyKeys(P1);
            assertThat(first.rewind()).containsExactly(Map.entry(P0, 10L));
            assertThat(published).isEmpty();

            PollOutcome second = dedup.process(poll(List.of(poisoned, behind)), handler);
            assertThat(second.records())
                    .extracting(RecordOutcome::status)
                    .containsExactly(RecordStatus.DEAD_LETTERED, RecordStatus.PROCESSED);
            assertThat(second.offsetsToCommit()).containsExactly(Map.entry(P0, new OffsetAndMetadata(12)));
            assertThat(handled).containsExactly("other", "next");
            assertThat(published).singleElement().satisfies(d -> {
                assertThat(d.topic()).isEqualTo("orders.DLT");
                assertThat(d.reason()).isEqualTo(DeadLetterReason.HANDLER_FAILED);
                assertThat(d.attempts()).isEqualTo(2);
                assertThat(d.error()).get().isInstanceOf(IllegalStateException.class);
                assertThat(d.record().offset()).isEqualTo(10);
            });
        }
    }

    @Test
    void bad_input_goes_to_the_dead_letter_topic_with_a_reason_and_the_offset_moves_on() {
        try (KafkaDedup dedup =
                builder().topicKeys("payments", RecordKeys.jsonPointer("/id")).build()) {
            PollOutcome outcome = dedup.process(
                    poll(List.of(
                            record("orders", 0, 0, null, "no key header"),
                            record("orders", 0, 1, "t", null),
                            record("payments", 0, 0, null, "{not json"),
                            record("payments", 0, 1, null, "{\"id\":\"p1\"}"))),
                    noteValue);
            assertThat(handled).containsExactly("{\"id\":\"p1\"}");
            assertThat(published)
                    .extracting(DeadLetter::reason)
                    .containsExactly(
                            DeadLetterReason.KEY_MISSING, DeadLetterReason.TOMBSTONE, DeadLetterReason.KEY_UNREADABLE);
            assertThat(published.get(0).error().orElseThrow().getMessage()).contains("orders-0@0");
            assertThat(outcome.allDone()).isTrue();
            assertThat(outcome.offsetsToCommit())
                    .containsEntry(P0, new OffsetAndMetadata(2))
                    .containsEntry(new TopicPartition("payments", 0), new OffsetAndMetadata(2));
        }
    }

    @Test
    void without_a_dead_letter_publisher_nothing_is_committed_past_a_record_that_needs_one() {
        try (KafkaDedup dedup = KafkaDedup.builder().store(store).build()) {
            PollOutcome outcome = dedup.process(
                    poll(List.of(record("orders", 0, 0, "a", "a"), record("orders", 0, 1, null, "no key"))), noteValue);
            assertThat(outcome.records().get(1).status()).isEqualTo(RecordStatus.DEAD_LETTER_PENDING);
            assertThat(outcome.offsetsToCommit()).containsExactly(Map.entry(P0, new OffsetAndMetadata(1)));
            assertThat(outcome.rewind()).containsExactly(Map.entry(P0, 1L));
        }
    }

    @Test
    void with_pass_deferred_a_key_in_progress_elsewhere_is_deferred_and_later_answered_as_a_duplicate() {
        try (KafkaDedup dedup = builder()
                .deferBackoff(Duration.ofMillis(300))
                .passDeferred(true)
                .build()) {
            DedupKey key = DedupKey.of("g", "held");
            ClaimResult.Acquired other = (ClaimResult.Acquired)
                    store.claim(ClaimRequest.of(key, Duration.ofMinutes(1), Duration.ofHours(1)));

            var heldThenFree = poll(List.of(record("orders", 0, 0, "held", "h"), record("orders", 0, 1, "free", "f")));
            PollOutcome first = dedup.process(heldThenFree, noteValue);
            assertThat(first.records())
                    .extracting(RecordOutcome::status)
                    .containsExactly(RecordStatus.DEFERRED, RecordStatus.PROCESSED);
            assertThat(first.offsetsToCommit()).isEmpty();
            assertThat(first.rewind()).containsExactly(Map.entry(P0, 0L));
            assertThat(first.retryAfter()).containsExactly(Map.entry(P0, Duration.ofMillis(300)));

            store.complete(new Completion(
                    key, other.claim().token(), OutcomeStatus.SUCCEEDED, new byte[0], Duration.ofHours(1)));
            PollOutcome second = dedup.process(heldThenFree, noteValue);
            assertThat(second.records())
                    .extracting(RecordOutcome::status)
                    .containsExactly(RecordStatus.DUPLICATE, RecordStatus.DUPLICATE);
            assertThat(second.offsetsToCommit()).containsExactly(Map.entry(P0, new OffsetAndMetadata(2)));
            assertThat(handled).containsExactly("f");
        }
    }

    @Test
    void a_store_outage_runs_no_handler_and_commits_nothing() {
        try (KafkaDedup dedup = builder().build()) {
            store.down(true);
            PollOutcome down = dedup.process(
                    poll(List.of(record("orders", 0, 0, "a", "a"), record("orders", 1, 0, "b", "b"))), noteValue);
            assertThat(down.storeUnavailable()).isTrue();
            assertThat(down.offsetsToCommit()).isEmpty();
            assertThat(down.rewind()).containsOnlyKeys(P0, P1);
            assertThat(handled).isEmpty();

            store.down(false);
            PollOutcome up = dedup.process(
                    poll(List.of(record("orders", 0, 0, "a", "a"), record("orders", 1, 0, "b", "b"))), noteValue);
            assertThat(up.allDone()).isTrue();
            assertThat(handled).containsExactly("a", "b");
        }
    }

    @Test
    void a_failed_dead_letter_publish_is_retried_and_a_sent_one_is_not_sent_again() {
        List<Integer> publishCalls = new ArrayList<>();
        DeadLetterPublisher flaky = letters -> {
            publishCalls.add(letters.size());
            if (publishCalls.size() == 1) {
                throw new java.io.IOException("broker away");
            }
            published.addAll(letters);
        };
        // passDeferred: the dead letter behind the deferred record goes out now (by default it waits behind it)
        try (KafkaDedup dedup = builder().deadLetters(flaky).passDeferred(true).build()) {
            var noKey = record("orders", 0, 0, null, "x");
            PollOutcome failed = dedup.process(poll(List.of(noKey)), noteValue);
            assertThat(failed.records().get(0).status()).isEqualTo(RecordStatus.DEAD_LETTER_PENDING);
            assertThat(failed.retryAfter()).containsKey(P0);

            // p1: a record whose key is held elsewhere, then one without a key
            store.claim(ClaimRequest.of(DedupKey.of("g", "held"), Duration.ofMinutes(1), Duration.ofHours(1)));
            var deferred = record("orders", 1, 0, "held", "h");
            var noKeyOnP1 = record("orders", 1, 1, null, "y");
            PollOutcome p1 = dedup.process(poll(List.of(noKey, deferred, noKeyOnP1)), noteValue);
            assertThat(p1.records())
                    .extracting(RecordOutcome::status)
                    .containsExactly(RecordStatus.DEAD_LETTERED, RecordStatus.DEFERRED, RecordStatus.DEAD_LETTERED);
            // p1 is rewound to the deferred record: the dead-lettered one after it comes again and is not re-published
            PollOutcome again = dedup.process(poll(List.of(deferred, noKeyOnP1)), noteValue);
            assertThat(again.records().get(1).status()).isEqualTo(RecordStatus.DEAD_LETTERED);
            assertThat(published).hasSize(2);
        }
    }

    @Test
    void mark_failed_completes_a_dead_lettered_key_so_later_duplicates_do_not_run() {
        try (KafkaDedup dedup = builder()
                .retries(1, Duration.ZERO, Duration.ZERO)
                .settings(io.dedup.DedupSettings.custom()
                        .failurePolicy(FailurePolicy.MARK_FAILED)
                        .build())
                .build()) {
            List<String> runs = new ArrayList<>();
            io.dedup.MessageHandler<ConsumerRecord<String, String>> failing = r -> {
                runs.add(r.value());
                throw new IllegalArgumentException("no");
            };
            PollOutcome first = dedup.process(poll(List.of(record("orders", 0, 0, "k", "v"))), failing);
            assertThat(first.records().get(0).status()).isEqualTo(RecordStatus.DEAD_LETTERED);
            PollOutcome duplicate = dedup.process(poll(List.of(record("orders", 0, 1, "k", "v"))), failing);
            assertThat(duplicate.records().get(0).status()).isEqualTo(RecordStatus.DUPLICATE);
            assertThat(runs).hasSize(1);
        }
    }

    @Test
    void metrics_are_tagged_with_the_topic() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (KafkaDedup dedup = builder().meterRegistry(registry).build()) {
            dedup.process(
                    poll(List.of(
                            record("orders", 0, 0, "a", "a"),
                            record("orders", 0, 1, "a", "a"),
                            record("payments", 0, 0, null, "x"))),
                    r -> {});
        }
        assertThat(registry.get("dedup.messages")
                        .tags("topic", "orders", "result", "duplicate")
                        .counter()
                        .count())
                .isEqualTo(1.0);
        assertThat(registry.get("dedup.kafka.dead.letters")
                        .tags("topic", "payments", "reason", "KEY_MISSING")
                        .counter()
                        .count())
                .isEqualTo(1.0);
    }
}
