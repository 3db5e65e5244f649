package io.dedup.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.dedup.DedupKey;
import io.dedup.spi.ClaimRequest;
import io.dedup.spi.ClaimResult;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class MariaDbStoreBehaviourTest extends JdbcStoreBehaviourTest {
    @Override
    JdbcDialect dialect() {
        return JdbcDialect.MARIADB;
    }

    @Test
    void keys_holding_nul_characters_are_stored_as_they_are() {
        Duration d = Duration.ofMinutes(1);
        assertThat(store.claim(ClaimRequest.of(DedupKey.of(ns, "a\u0000b"), d, d)))
                .isInstanceOf(ClaimResult.Acquired.class);
        assertThat(store.claim(ClaimRequest.of(DedupKey.of(ns, "a\u0000b"), d, d)))
                .isInstanceOf(ClaimResult.InProgress.class);
        assertThat(store.claim(ClaimRequest.of(DedupKey.of(ns, "a"), d, d))).isInstanceOf(ClaimResult.Acquired.class);
    }
}
