package io.dedup.jdbc;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * Creates the store's tables from the dialect's script (see {@code schema/*.sql} next to this class). The script
 * names its tables with placeholders that {@link TableName#fill} replaces with the validated names. Thread-safe.
 */
final class SchemaInstaller {
    private final DataSource dataSource;
    private final SqlDialect dialect;

    SchemaInstaller(DataSource dataSource, SqlDialect dialect) {
        this.dataSource = dataSource;
        this.dialect = dialect;
    }

    /** The dialect's script with the table names filled in. */
    static String script(SqlDialect dialect) {
        // A missing resource is a broken jar, not a configuration error: IllegalStateException.
        try (InputStream in = SchemaInstaller.class.getResourceAsStream(dialect.schemaResource())) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + dialect.schemaResource());
            }
            return dialect.table.fill(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The script's statements: separated by semicolons at line ends, comment lines dropped. */
    static List<String> statements(String script) {
        // JDBC runs one statement per execute; the scripts keep to this simple form (no line inside a statement ends
        // with a semicolon).
        List<String> statements = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : script.split("\n")) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("--")) {
                continue;
            }
            current.append(line).append('\n');
            if (trimmed.endsWith(";")) {
                String statement = current.toString().strip();
                statements.add(statement.substring(0, statement.length() - 1));
                current.setLength(0);
            }
        }
        if (!current.toString().isBlank()) {
            statements.add(current.toString().strip());
        }
        return statements;
    }

    /**
     * Runs the script; idempotent. Two processes starting together may both try to create a table (PostgreSQL's
     * {@code IF NOT EXISTS} is not race-free), so a failure is retried once.
     *
     * @throws io.dedup.DedupStoreUnavailableException if the script cannot be run
     */
    void install() {
        List<String> statements = statements(script(dialect));
        SQLException last = null;
        for (int tryNo = 0; tryNo < 2; tryNo++) {
            try (Connection connection = dataSource.getConnection();
                    Statement statement = connection.createStatement()) {
                boolean autoCommit = connection.getAutoCommit();
                for (String sql : statements) {
                    statement.execute(sql);
                }
                // DDL commits implicitly on MariaDB; on PostgreSQL it is transactional and needs the commit.
                if (!autoCommit) {
                    connection.commit();
                }
                return;
            } catch (SQLException e) {
                last = e;
            }
        }
        throw SqlFailures.unavailable("jdbc store (table " + dialect.table + ")", "create its schema", last);
    }
}
