package io.dedup.chaos;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * The consumer's side of the PostgreSQL ledger: an append-only log of handler invocations (written on a pool of its
 * own, in autocommit, so that it survives the rollbacks and kills it records) and, in leased mode, the effects.
 * Table names are validated by the test that creates them. Thread-safe.
 */
final class LedgerWriter implements AutoCloseable {
    /** PostgreSQL's unique_violation. */
    static final String UNIQUE_VIOLATION = "23505";

    /** The ledger's own pool, apart from the store's: a store outage the test provokes must not silence the ledger. */
    private final HikariDataSource pool;

    private final String effects;
    private final String invocations;
    /** This child's id, written with every row so that the summary can say which consumer did what. */
    private final String consumer;

    /**
     * Opens the pool on {@code ledgerUrl}; the tables named by {@code effectsTable} and {@code invocationsTable} must
     * exist (the test creates them before it starts a child).
     */
    LedgerWriter(ConsumerSettings settings) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(settings.get("ledgerUrl"));
        config.setUsername(settings.get("ledgerUser", "postgres"));
        config.setMaximumPoolSize(4);
        config.setConnectionTimeout(5000);
        config.setPoolName("chaos-ledger-" + settings.id());
        config.addDataSourceProperty("ApplicationName", "chaos-ledger-" + settings.id());
        this.pool = new HikariDataSource(config);
        this.effects = settings.get("effectsTable");
        this.invocations = settings.get("invocationsTable");
        this.consumer = settings.id();
    }

    /**
     * The key as the ledger stores it: PostgreSQL text cannot hold U+0000, which Redis keys may; such keys are
     * written escaped, so that the ledger never fails the handler on a key the store accepted.
     */
    static String ledgerKey(String key) {
        String nul = String.valueOf((char) 0);
        return !key.contains(nul) ? key : "escaped:" + key.replace("\\", "\\\\").replace(nul, "\\0");
    }

    /** Appends one event (start, effect, fenced, dup-refused) of an attempt on {@code key}. */
    void invocation(String key, long token, String event) {
        write(
                "INSERT INTO " + invocations + " (effect_key, consumer, token, event) VALUES (?, ?, ?, ?)",
                key,
                token,
                event);
    }

    /** Leased mode: the effect, committed at once. */
    void effect(String key, long token) {
        write("INSERT INTO " + effects + " (effect_key, consumer, token) VALUES (?, ?, ?)", key, token, null);
    }

    /** Transactional mode: the effect inside the dedup transaction; a second effect for a key breaks its primary key. */
    void effectIn(Connection transaction, String key, long token) throws SQLException {
        try (PreparedStatement insert = transaction.prepareStatement(
                "INSERT INTO " + effects + " (effect_key, consumer, token) VALUES (?, ?, ?)")) {
            insert.setString(1, ledgerKey(key));
            insert.setString(2, consumer);
            insert.setLong(3, token);
            insert.executeUpdate();
        } catch (SQLException e) {
            if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
                invocation(key, token, "dup-refused");
            }
            throw e;
        }
    }

    /** Retries for a while: the ledger is the test's instrument, not the system under test. */
    private void write(String sql, String key, long token, String event) {
        SQLException last = null;
        for (int attempt = 1; attempt <= 50; attempt++) {
            try (Connection connection = pool.getConnection();
                    PreparedStatement insert = connection.prepareStatement(sql)) {
                insert.setString(1, ledgerKey(key));
                insert.setString(2, consumer);
                insert.setLong(3, token);
                if (event != null) {
                    insert.setString(4, event);
                }
                insert.executeUpdate();
                return;
            } catch (SQLException e) {
                last = e;
                if (!isTransient(e)) {
                    break;
                }
                Pause.millis(100L * Math.min(attempt, 10));
            }
        }
        throw new IllegalStateException("ledger write failed for " + key, last);
    }

    /** Connection trouble (class 08, 57P0x) or a pool timeout: worth another try. Anything else is a bug. */
    private static boolean isTransient(SQLException e) {
        String state = e.getSQLState();
        return state == null || state.startsWith("08") || state.startsWith("57P");
    }

    /** Closes the pool; rows written are committed already. */
    @Override
    public void close() {
        pool.close();
    }
}
