package io.dedup.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.dedup.DedupConsumer;
import io.dedup.DedupResult;
import io.dedup.OutcomeCodecs;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Core's leased mode over the JDBC store: one claim statement and one completion statement per batch. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DedupConsumerOnJdbcTest {
    private TestDatabase database;
    private JdbcDedupStore store;

    @BeforeAll
    void startDatabase() {
        database = TestDatabase.of(JdbcDialect.POSTGRESQL);
        store = database.store().build();
    }

    @AfterAll
    void dropTables() throws Exception {
        store.close();
        database.close();
    }

    @Test
    void a_wrapped_handler_runs_once_per_key_and_duplicates_get_the_stored_result() {
        AtomicInteger runs = new AtomicInteger();
        try (DedupConsumer<String> dedup = DedupConsumer.<String>builder(Optional::of)
                .store(store)
                .namespace("consumer-" + UUID.randomUUID())
                .build()) {
            List<DedupResult<String>> first = dedup.processAll(
                    List.of("a", "b", "a"),
                    m -> "reply-" + m + "-" + runs.incrementAndGet(),
                    OutcomeCodecs.utf8(),
                    true);
            assertThat(first.get(0)).isInstanceOf(DedupResult.Processed.class);
            assertThat(first.get(1)).isInstanceOf(DedupResult.Processed.class);
            assertThat(first.get(2)).isInstanceOf(DedupResult.Duplicate.class);
            DedupResult<String> again = dedup.process("b", m -> "never", OutcomeCodecs.utf8(), true);
            assertThat(again).isInstanceOf(DedupResult.Duplicate.class);
            assertThat(new String(
                            ((DedupResult.Duplicate<String>) again).outcome().body()))
                    .isEqualTo("reply-b-2");
        }
        assertThat(runs).hasValue(2);
    }
}
