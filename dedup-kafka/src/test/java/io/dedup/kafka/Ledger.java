package io.dedup.kafka;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import javax.sql.DataSource;

/**
 * A table of handler effects for the database tests: one row per effect, with no unique constraint, so that an
 * effect applied twice shows up as a second row of its key.
 */
public final class Ledger {
    private final DataSource dataSource;
    private final String table;

    private Ledger(DataSource dataSource, String table) {
        this.dataSource = dataSource;
        this.table = table;
    }

    /** Creates the table {@code table}. */
    public static Ledger create(DataSource dataSource, String table) throws Exception {
        try (Connection c = dataSource.getConnection();
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE " + table + " (idem_key TEXT NOT NULL, value TEXT NOT NULL)");
        }
        return new Ledger(dataSource, table);
    }

    /** Drops the ledger and {@code others} (the store's tables of the test), if they exist. */
    public void dropWith(String... others) throws Exception {
        try (Connection c = dataSource.getConnection();
                Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + table);
            for (String other : others) {
                s.execute("DROP TABLE IF EXISTS " + other);
            }
        }
    }

    /** Writes one effect of {@code key} through {@code connection} (a handler's transaction, or its own). */
    public void insert(Connection connection, String key, String value) throws Exception {
        try (PreparedStatement insert =
                connection.prepareStatement("INSERT INTO " + table + " (idem_key, value) VALUES (?, ?)")) {
            insert.setString(1, key);
            insert.setString(2, value);
            insert.executeUpdate();
        }
    }

    /** How many effects each key has. */
    public Map<String, Integer> counts() throws Exception {
        Map<String, Integer> counts = new HashMap<>();
        try (Connection c = dataSource.getConnection();
                Statement s = c.createStatement();
                ResultSet rows = s.executeQuery("SELECT idem_key, COUNT(*) FROM " + table + " GROUP BY idem_key")) {
            while (rows.next()) {
                counts.put(rows.getString(1), rows.getInt(2));
            }
        }
        return counts;
    }
}
