package io.dedup.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.dedup.DedupKey;
import io.dedup.OutcomeStatus;
import io.dedup.spi.ClaimRequest;
import io.dedup.spi.ClaimResult;
import io.dedup.spi.Completion;
import io.dedup.spi.WriteResult;
import io.dedup.testkit.LocalServices;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A store's statements stay index lookups as its table grows, on connections that have run them many times.
 *
 * <p>PostgreSQL caches a generic plan for a statement a connection prepared and ran five times or more. Planned on a
 * new, nearly empty table, that plan scans the whole table for every batch — and it stays cached while the table
 * grows, until statistics are refreshed. On a fresh table with long-lived pooled connections (every first
 * deployment, every benchmark) each claim and completion then read the whole table: measured at 46 ms per
 * completion batch at 10,000 rows, and quadratic in the run's length. The test counts the rows PostgreSQL reads by
 * sequential scans of the table ({@code pg_stat_user_tables.seq_tup_read}) while one connection runs batches.
 */
class PostgresPlanCacheTest {
    private static final Duration LEASE = Duration.ofMinutes(5);
    private static final Duration RETENTION = Duration.ofHours(1);
    private static final int GROWN_ROWS = 20_000;

    @RegisterExtension
    static final TestDatabase database = TestDatabase.of(JdbcDialect.POSTGRESQL);

    private SingleConnectionDataSource connection;
    private JdbcDedupStore store;
    private String table;

    @BeforeEach
    void setUp() throws SQLException {
        connection = new SingleConnectionDataSource(LocalServices.postgres());
        table = database.uniqueTable("plans");
        store = JdbcDedupStore.builder(connection.dataSource())
                .table(table)
                .createSchema(true)
                .build();
    }

    @AfterEach
    void tearDown() throws Exception {
        store.close();
        connection.close();
    }

    @Test
    void batches_on_a_grown_table_do_not_scan_it_after_plans_were_cached_on_the_empty_one() throws SQLException {
        for (int i = 0; i < 12; i++) { // five runs to a server-side statement, five more to a generic plan
            completeAll(claimAll("warm-" + i, 1));
        }
        List<ClaimResult.Acquired> grown = claimAll("grown-", GROWN_ROWS);

        long before = seqTuplesRead();
        for (int round = 0; round < 10; round++) {
            completeAll(grown.subList(round * 10, round * 10 + 10));
            claimAll("more-" + round + "-", 10);
        }
        long read = seqTuplesRead() - before;

        // one full scan reads GROWN_ROWS; with a cached generic plan the 20 batches read 10 times that (seen: 200,570)
        assertThat(read)
                .as("rows read by sequential scans of %s during 20 batches on a table of %d rows", table, GROWN_ROWS)
                .isLessThan(GROWN_ROWS);
    }

    private List<ClaimResult.Acquired> claimAll(String prefix, int n) {
        List<ClaimRequest> requests = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            requests.add(ClaimRequest.of(DedupKey.of("plans", prefix + i), LEASE, RETENTION));
        }
        List<ClaimResult.Acquired> acquired = new ArrayList<>(n);
        for (ClaimResult result : store.claimAll(requests)) {
            assertThat(result).isInstanceOf(ClaimResult.Acquired.class);
            acquired.add((ClaimResult.Acquired) result);
        }
        return acquired;
    }

    private void completeAll(List<ClaimResult.Acquired> claims) {
        List<Completion> completions = new ArrayList<>(claims.size());
        for (ClaimResult.Acquired a : claims) {
            completions.add(new Completion(
                    a.claim().key(), a.claim().token(), OutcomeStatus.SUCCEEDED, new byte[0], RETENTION));
        }
        assertThat(store.completeAll(completions)).containsOnly(WriteResult.APPLIED);
    }

    /**
     * Rows read so far by sequential scans of the table. The store's connection first flushes its pending
     * statistics (PostgreSQL 15+ reports them lazily, at most once a second), so the count includes its last batch.
     */
    private long seqTuplesRead() throws SQLException {
        try (Statement flush = connection.getConnection().createStatement()) {
            flush.execute("SELECT pg_stat_force_next_flush()");
        }
        try (Connection reader = database.dataSource.getConnection();
                PreparedStatement ps =
                        reader.prepareStatement("SELECT seq_tup_read FROM pg_stat_user_tables WHERE relname = ?")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).as("statistics of %s", table).isTrue();
                return rs.getLong(1);
            }
        }
    }
}
