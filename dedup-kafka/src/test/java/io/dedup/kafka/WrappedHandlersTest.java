package io.dedup.kafka;

import static io.dedup.kafka.Records.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dedup.DedupKey;
import io.dedup.DedupStoreUnavailableException;
import io.dedup.IdempotencyKeyMissingException;
import io.dedup.KeyInProgressException;
import io.dedup.MessageHandler;
import io.dedup.spi.ClaimRequest;
import io.dedup.spi.RecordState;
import io.dedup.testkit.FaultInjectingStore;
import io.dedup.testkit.FaultInjectingStore.Operation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class WrappedHandlersTest {
    private final FaultInjectingStore store = FaultInjectingStore.inMemory();
    private final KafkaDedup dedup =
            KafkaDedup.builder().store(store).groupId("g").build();
    private final List<List<String>> batches = new ArrayList<>();
    private final List<String> handled = new ArrayList<>();

    private BatchHandler<String, String> batchHandler() {
        return dedup.wrapBatch(records ->
                batches.add(records.stream().map(ConsumerRecord::value).toList()));
    }

    @Test
    void a_wrapped_record_handler_runs_once_per_key_per_topic_settings() throws Exception {
        KafkaDedup perTopic = KafkaDedup.builder()
                .store(store)
                .groupId("g")
                .topicKeys("payments", RecordKeys.jsonPointer("/id"))
                .build();
        MessageHandler<ConsumerRecord<String, String>> safe = perTopic.wrap(r -> handled.add(r.value()));
        safe.handle(record("orders", 0, 0, "a", "order a"));
        safe.handle(record("orders", 0, 1, "a", "order a again"));
        safe.handle(record("payments", 0, 0, null, "{\"id\":\"p\"}"));
        safe.handle(record("payments", 0, 1, null, "{\"id\":\"p\",\"retry\":true}"));
        assertThat(handled).containsExactly("order a", "{\"id\":\"p\"}");
        assertThatThrownBy(() -> safe.handle(record("orders", 0, 2, null, "no key")))
                .isInstanceOf(IdempotencyKeyMissingException.class)
                .hasMessageContaining("orders-0@2");
    }

    @Test
    void a_wrapped_batch_handler_sees_only_records_not_seen_before() throws Exception {
        BatchHandler<String, String> safe = batchHandler();
        safe.handle(List.of(record("t", 0, 0, "a", "a"), record("t", 0, 1, "b", "b"), record("t", 0, 2, "a", "a2")));
        safe.handle(List.of(record("t", 0, 3, "b", "b2"), record("t", 0, 4, "c", "c")));
        safe.handle(List.of(record("t", 0, 5, "c", "c2")));
        assertThat(batches).containsExactly(List.of("a", "b"), List.of("c"));
        assertThat(store.calls(Operation.CLAIM, Operation.CLAIM_ALL)).isEqualTo(3);
        assertThat(store.calls(Operation.COMPLETE, Operation.COMPLETE_ALL)).isEqualTo(2);
    }

    @Test
    void a_failing_batch_releases_its_keys_so_the_redelivery_runs_again() throws Exception {
        BatchHandler<String, String> failing = dedup.wrapBatch(records -> {
            throw new IllegalStateException("bulk insert failed");
        });
        List<ConsumerRecord<String, String>> batch = List.of(record("t", 0, 0, "a", "a"), record("t", 0, 1, "b", "b"));
        assertThatThrownBy(() -> failing.handle(batch)).hasMessage("bulk insert failed");
        assertThat(store.find(DedupKey.of("g", "a")).orElseThrow().state()).isEqualTo(RecordState.RELEASED);
        batchHandler().handle(batch);
        assertThat(batches).containsExactly(List.of("a", "b"));
    }

    @Test
    void a_batch_with_a_key_in_progress_elsewhere_processes_the_rest_then_says_so() {
        store.claim(ClaimRequest.of(DedupKey.of("g", "held"), Duration.ofMinutes(1), Duration.ofHours(1)));
        assertThatThrownBy(() ->
                        batchHandler().handle(List.of(record("t", 0, 0, "held", "h"), record("t", 0, 1, "free", "f"))))
                .isInstanceOf(KeyInProgressException.class);
        assertThat(batches).containsExactly(List.of("f"));
    }

    @Test
    void a_batch_is_not_run_while_the_store_is_down() {
        store.down(true);
        assertThatThrownBy(() -> batchHandler().handle(List.of(record("t", 0, 0, "a", "a"))))
                .isInstanceOf(DedupStoreUnavailableException.class);
        assertThat(batches).isEmpty();
    }
}
