package io.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import io.dedup.memory.InMemoryDedupStore;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A key repeated within one batch with another payload, fingerprints on: the repeat is a conflict, as it is when the
 * two come in separate batches, never a duplicate of the first (which would ack or commit the other payload unseen).
 */
class RepeatedKeyFingerprintTest {
    record Transfer(String id, String body) {}

    private final DedupConsumer<Transfer> dedup = DedupConsumer.builder(
                    (KeyExtractor<Transfer>) t -> Optional.of(t.id()))
            .store(InMemoryDedupStore.create())
            .namespace("transfers")
            .fingerprint(t -> t.body().getBytes(StandardCharsets.UTF_8))
            .build();

    @Test
    void a_repeat_with_another_payload_in_the_same_batch_is_a_conflict_and_one_with_the_same_payload_a_duplicate() {
        AtomicInteger runs = new AtomicInteger();
        List<DedupResult<Object>> results = dedup.processAll(
                List.of(
                        new Transfer("transfer-3", "100 EUR to Alice"),
                        new Transfer("transfer-3", "900 EUR to Mallory"),
                        new Transfer("transfer-3", "100 EUR to Alice")),
                t -> {
                    runs.incrementAndGet();
                    return null;
                });
        assertThat(results.get(0)).isInstanceOf(DedupResult.Processed.class);
        assertThat(results.get(1)).isInstanceOf(DedupResult.Conflict.class);
        assertThat(results.get(2)).isInstanceOf(DedupResult.Duplicate.class);
        assertThat(runs).hasValue(1);
    }

    @Test
    void the_same_holds_for_a_claimed_batch() {
        try (ClaimedBatch<Transfer> batch = dedup.claimAll(List.of(
                new Transfer("transfer-4", "100 EUR to Alice"), new Transfer("transfer-4", "900 EUR to Mallory")))) {
            assertThat(batch.entries().get(0).mayRun()).isTrue();
            assertThat(batch.entries().get(1).mayRun()).isFalse();
            assertThat(batch.entries().get(1).result()).isInstanceOf(DedupResult.Conflict.class);
            batch.run(batch.entries().get(0), t -> null, OutcomeCodecs.none());
            batch.complete();
            assertThat(batch.results().get(0)).isInstanceOf(DedupResult.Processed.class);
        }
    }
}
