package io.dedup.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dedup.DedupKey;
import io.dedup.DedupStoreCorruptionException;
import io.dedup.spi.ClaimRequest;
import io.dedup.spi.ClaimResult;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class PostgresStoreBehaviourTest extends JdbcStoreBehaviourTest {
    PostgresStoreBehaviourTest() {
        super(JdbcDialect.POSTGRESQL);
    }

    @Test
    void a_key_postgresql_cannot_store_is_refused_for_that_key_only() {
        DedupKey nul = DedupKey.of(ns, "a\u0000b");
        Duration d = Duration.ofMinutes(1);
        assertThatThrownBy(() -> store.claim(ClaimRequest.of(nul, d, d)))
                .isInstanceOf(DedupStoreCorruptionException.class)
                .hasMessageContaining("U+0000");
        List<ClaimResult> batch =
                store.claimAll(List.of(ClaimRequest.of(nul, d, d), ClaimRequest.of(DedupKey.of(ns, "fine"), d, d)));
        assertThat(batch.get(0)).isInstanceOf(ClaimResult.Failed.class);
        assertThat(batch.get(1)).isInstanceOf(ClaimResult.Acquired.class);
        assertThat(store.find(nul)).isEmpty();
    }
}
