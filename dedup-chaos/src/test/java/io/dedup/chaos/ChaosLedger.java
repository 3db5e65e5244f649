package io.dedup.chaos;

import io.dedup.testkit.LocalServices;
import io.dedup.testkit.ServiceEndpoint;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The test's side of the PostgreSQL ledger of one run: creates the effects table (primary key on the effect key in
 * transactional mode, none in leased mode, so that a second effect is visible) and the append-only invocations log,
 * reads them, and drops both at the end.
 */
final class ChaosLedger implements AutoCloseable {
    /** One effect row: which consumer wrote it under which fencing token. */
    record Effect(String key, String consumer, long token) {}

    private final ServiceEndpoint postgres = LocalServices.postgres();
    private final Connection connection;
    private final String effects;
    private final String invocations;

    ChaosLedger(String runId, boolean transactional) throws SQLException {
        this.effects = "chaos_" + runId + "_effects";
        this.invocations = "chaos_" + runId + "_invocations";
        this.connection = connect();
        try (Statement ddl = connection.createStatement()) {
            ddl.execute(
                    "CREATE TABLE " + effects + " (effect_key TEXT NOT NULL"
                            + (transactional ? " PRIMARY KEY" : "")
                            + ", consumer TEXT NOT NULL, token BIGINT NOT NULL, at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp())");
            ddl.execute("CREATE TABLE " + invocations + " (id BIGSERIAL PRIMARY KEY, effect_key TEXT NOT NULL,"
                    + " consumer TEXT NOT NULL, token BIGINT NOT NULL, event TEXT NOT NULL,"
                    + " at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp())");
        }
    }

    Connection connect() throws SQLException {
        return DriverManager.getConnection(postgres.jdbcUrl() + "?ApplicationName=chaos-test", postgres.user(), "");
    }

    String jdbcUrl() {
        return postgres.jdbcUrl();
    }

    String effectsTable() {
        return effects;
    }

    String invocationsTable() {
        return invocations;
    }

    /** How many distinct keys have an effect: the run's progress. */
    synchronized int keysWithEffect() throws SQLException {
        return (int) single("SELECT count(DISTINCT effect_key) FROM " + effects);
    }

    /** All rows of both tables: changes whenever anything happens. */
    synchronized long activity() throws SQLException {
        return single("SELECT (SELECT count(*) FROM " + effects + ") + (SELECT count(*) FROM " + invocations + ")");
    }

    synchronized List<Effect> effects() throws SQLException {
        List<Effect> rows = new ArrayList<>();
        try (Statement query = connection.createStatement();
                ResultSet rs = query.executeQuery("SELECT effect_key, consumer, token FROM " + effects)) {
            while (rs.next()) {
                rows.add(new Effect(rs.getString(1), rs.getString(2), rs.getLong(3)));
            }
        }
        return rows;
    }

    /** How many invocation-log events of this kind (start, fenced, dup-refused). */
    synchronized long events(String event) throws SQLException {
        try (PreparedStatement query =
                connection.prepareStatement("SELECT count(*) FROM " + invocations + " WHERE event = ?")) {
            query.setString(1, event);
            try (ResultSet rs = query.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** Handler starts per key. */
    synchronized Map<String, Integer> startsPerKey() throws SQLException {
        Map<String, Integer> starts = new HashMap<>();
        try (Statement query = connection.createStatement();
                ResultSet rs = query.executeQuery("SELECT effect_key, count(*) FROM " + invocations
                        + " WHERE event = 'start' GROUP BY effect_key")) {
            while (rs.next()) {
                starts.put(rs.getString(1), rs.getInt(2));
            }
        }
        return starts;
    }

    /** Invocation-log events of this kind per key. */
    synchronized Map<String, Integer> eventsPerKey(String event) throws SQLException {
        Map<String, Integer> counts = new HashMap<>();
        try (PreparedStatement query = connection.prepareStatement(
                "SELECT effect_key, count(*) FROM " + invocations + " WHERE event = ? GROUP BY effect_key")) {
            query.setString(1, event);
            try (ResultSet rs = query.executeQuery()) {
                while (rs.next()) {
                    counts.put(rs.getString(1), rs.getInt(2));
                }
            }
        }
        return counts;
    }

    private long single(String sql) throws SQLException {
        try (Statement query = connection.createStatement();
                ResultSet rs = query.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Override
    public void close() throws SQLException {
        try (Statement ddl = connection.createStatement()) {
            ddl.execute("DROP TABLE IF EXISTS " + effects);
            ddl.execute("DROP TABLE IF EXISTS " + invocations);
        } finally {
            connection.close();
        }
    }
}
