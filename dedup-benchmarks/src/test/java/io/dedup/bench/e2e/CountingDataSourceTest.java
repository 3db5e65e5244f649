package io.dedup.bench.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.dedup.testkit.LocalServices;
import io.dedup.testkit.ServiceEndpoint;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/** Against the real PostgreSQL: the counts are the round trips a store makes. */
class CountingDataSourceTest {
    @Test
    void counts_each_statement_execution_commit_and_rollback_but_nothing_else() throws Exception {
        ServiceEndpoint postgres = LocalServices.postgres();
        PGSimpleDataSource plain = new PGSimpleDataSource();
        plain.setUrl(postgres.jdbcUrl());
        plain.setUser(postgres.user());
        CountingDataSource counting = new CountingDataSource(plain);
        String table = "bench_counting_" + Long.toString(System.nanoTime(), 36);

        try (Connection connection = counting.getConnection()) {
            try (Statement statement = connection.createStatement()) {
                statement.execute("CREATE TEMPORARY TABLE " + table + " (k TEXT PRIMARY KEY)");
            }
            assertThat(counting.roundTrips()).isEqualTo(1);

            connection.setAutoCommit(false);
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + table + " VALUES (?)")) {
                insert.setString(1, "a");
                insert.executeUpdate();
                insert.setString(1, "b");
                insert.addBatch();
                insert.setString(1, "c");
                insert.addBatch();
                insert.executeBatch();
            }
            connection.commit();
            assertThat(counting.roundTrips()).isEqualTo(4);

            try (PreparedStatement query = connection.prepareStatement("SELECT COUNT(*) FROM " + table);
                    ResultSet rows = query.executeQuery()) {
                rows.next();
                assertThat(rows.getInt(1)).isEqualTo(3);
            }
            connection.rollback();
            assertThat(counting.roundTrips()).isEqualTo(6);
        }
        assertThat(counting.unwrap(CountingDataSource.class)).isSameAs(counting);
    }
}
