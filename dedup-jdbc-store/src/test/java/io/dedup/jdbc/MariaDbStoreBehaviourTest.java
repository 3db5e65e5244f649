package io.dedup.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.dedup.Claim;
import io.dedup.DedupKey;
import io.dedup.OutcomeStatus;
import io.dedup.spi.ClaimRequest;
import io.dedup.spi.ClaimResult;
import io.dedup.spi.Completion;
import io.dedup.spi.StoredRecord;
import io.dedup.spi.WriteResult;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class MariaDbStoreBehaviourTest extends JdbcStoreBehaviourTest {
    MariaDbStoreBehaviourTest() {
        super(JdbcDialect.MARIADB);
    }

    @Test
    void claims_release_renew_and_takeover_work_under_simultaneous_assignment() throws Exception {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(database.endpoint.jdbcUrl());
        config.setUsername(database.endpoint.user());
        config.setPassword(database.endpoint.password());
        config.setMaximumPoolSize(2);
        config.setConnectionInitSql("SET SESSION sql_mode = CONCAT(@@sql_mode, ',SIMULTANEOUS_ASSIGNMENT')");
        try (HikariDataSource simultaneous = new HikariDataSource(config);
                JdbcDedupStore other = JdbcDedupStore.builder(simultaneous)
                        .table(database.table)
                        .build()) {
            Duration d = Duration.ofMinutes(1);
            DedupKey k = DedupKey.of(ns, "simultaneous");
            Claim first = acquired(other.claim(ClaimRequest.of(k, Duration.ofMillis(200), d)));
            assertThat(other.claim(ClaimRequest.of(k, d, d))).isInstanceOf(ClaimResult.InProgress.class);
            Claim second = acquired(await().atMost(Duration.ofSeconds(20))
                    .until(() -> other.claim(ClaimRequest.of(k, d, d)), r -> r instanceof ClaimResult.Acquired));
            assertThat(second.token()).isGreaterThan(first.token());
            assertThat(second.attempt()).isEqualTo(2);
            assertThat(other.renew(k, second.token(), Duration.ofMinutes(2))).isEqualTo(WriteResult.APPLIED);
            StoredRecord renewed = other.find(k).orElseThrow();
            assertThat(Duration.between(renewed.leaseUntil().orElseThrow(), renewed.expiresAt()))
                    .as("the row still outlives its lease by the retention")
                    .isEqualTo(d);
            assertThat(other.release(k, second.token(), d)).isEqualTo(WriteResult.APPLIED);
            Claim third = acquired(other.claim(ClaimRequest.of(k, d, d)));
            assertThat(third.attempt()).isEqualTo(3);
            assertThat(other.completeAll(
                            List.of(new Completion(k, third.token(), OutcomeStatus.SUCCEEDED, new byte[] {1}, d))))
                    .containsExactly(WriteResult.APPLIED);
            assertThat(other.claim(ClaimRequest.of(k, d, d))).isInstanceOf(ClaimResult.Duplicate.class);
        }
    }

    private static Claim acquired(ClaimResult result) {
        assertThat(result).isInstanceOf(ClaimResult.Acquired.class);
        return ((ClaimResult.Acquired) result).claim();
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
