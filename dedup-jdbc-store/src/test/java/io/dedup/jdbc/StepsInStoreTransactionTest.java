package io.dedup.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.dedup.ClaimedBatch;
import io.dedup.DedupConsumer;
import io.dedup.DedupKey;
import io.dedup.DedupResult;
import io.dedup.KeyExtractor;
import io.dedup.OutcomeCodecs;
import io.dedup.ResultHandler;
import io.dedup.Steps;
import io.dedup.spi.RecordState;
import io.dedup.spi.TransactionalStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * In a store transaction steps are not needed: the claim, the handler's writes and the completion commit together.
 * A step there runs directly and records nothing, so a rolled-back transaction cannot leave a step recorded whose
 * database writes were undone.
 */
class StepsInStoreTransactionTest {
    @ParameterizedTest
    @EnumSource(JdbcDialect.class)
    void a_step_in_a_store_transaction_runs_directly_and_a_rolled_back_one_runs_again(JdbcDialect dialect)
            throws Exception {
        List<String> effects = new ArrayList<>();
        ResultHandler<String, String> handler = key -> Steps.run("charge", OutcomeCodecs.utf8(), () -> {
            effects.add("charge");
            return "ch-" + effects.size();
        });
        try (TestDatabase database = TestDatabase.of(dialect);
                JdbcDedupStore store = database.store().build();
                DedupConsumer<String> dedup = DedupConsumer.builder((KeyExtractor<String>) Optional::of)
                        .store(store)
                        .namespace("steps")
                        .build()) {
            TransactionalStore transactional =
                    store.capability(TransactionalStore.class).orElseThrow();
            try (ClaimedBatch<String> batch = dedup.claimAll(List.of("order-1"), transactional.begin())) {
                batch.run(batch.entries().get(0), handler, OutcomeCodecs.utf8());
            } // not committed: rolled back, like a crash before the commit
            assertThat(store.find(DedupKey.of("steps", "order-1"))).isEmpty();

            ClaimedBatch.Entry<String> entry;
            try (ClaimedBatch<String> batch = dedup.claimAll(List.of("order-1"), transactional.begin())) {
                entry = batch.entries().get(0);
                batch.run(entry, handler, OutcomeCodecs.utf8());
                batch.commit(() -> {});
            }
            assertThat(((DedupResult.Processed<?>) entry.result()).result()).isEqualTo("ch-2");
            assertThat(effects).containsExactly("charge", "charge");
            assertThat(store.find(DedupKey.of("steps", "order-1")).orElseThrow().state())
                    .isEqualTo(RecordState.COMPLETED);
            assertThat(store.find(DedupKey.digestOf("steps", "\u0000dedup-step\u0000order-1\u0000charge")))
                    .as("no step record")
                    .isEmpty();
        }
    }
}
