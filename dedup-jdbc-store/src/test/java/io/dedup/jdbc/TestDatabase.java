package io.dedup.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.dedup.testkit.LocalServices;
import io.dedup.testkit.ServiceEndpoint;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real database for one test class: a small HikariCP pool and a table name no other run uses. {@link #close()}
 * drops every table it named and closes the pool. Also a JUnit extension that does that after the class's tests,
 * registered on a static field, or on an instance field of a {@code PER_CLASS} test class:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final TestDatabase database = TestDatabase.of(JdbcDialect.MARIADB);
 * }</pre>
 */
final class TestDatabase implements AutoCloseable, AfterAllCallback {
    final JdbcDialect dialect;
    final ServiceEndpoint endpoint;
    final HikariDataSource dataSource;
    final String table;
    private final List<String> tables = new ArrayList<>();

    private TestDatabase(JdbcDialect dialect, ServiceEndpoint endpoint) {
        this.dialect = dialect;
        this.endpoint = endpoint;
        this.dataSource = pool(endpoint, 16);
        this.table = uniqueTable("dedup");
    }

    static TestDatabase of(JdbcDialect dialect) {
        return new TestDatabase(
                dialect, dialect == JdbcDialect.POSTGRESQL ? LocalServices.postgres() : LocalServices.mariadb());
    }

    static HikariDataSource pool(ServiceEndpoint endpoint, int size) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(endpoint.jdbcUrl());
        config.setUsername(endpoint.user());
        config.setPassword(endpoint.password());
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(1);
        config.setConnectionTimeout(5_000);
        config.setPoolName("test-" + endpoint.service());
        return new HikariDataSource(config);
    }

    /** A table name unique to this run; it and its positions table are dropped on close. */
    String uniqueTable(String prefix) {
        String name =
                prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        tables.add(name.toLowerCase(Locale.ROOT));
        tables.add(name.toLowerCase(Locale.ROOT) + "_positions");
        return name.toLowerCase(Locale.ROOT);
    }

    /** A store builder over this database's pool and table, creating the schema. */
    JdbcDedupStore.Builder store() {
        return JdbcDedupStore.builder(dataSource).table(table).createSchema(true);
    }

    void execute(String sql) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    long count(String sql) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** A ledger table for handler effects: no unique constraint, so a duplicate effect would show as a row. */
    String createLedger() throws SQLException {
        String ledger = uniqueTable("ledger");
        execute(
                dialect == JdbcDialect.POSTGRESQL
                        ? "CREATE TABLE " + ledger + " (id BIGSERIAL PRIMARY KEY, msg_key VARCHAR(64) NOT NULL)"
                        : "CREATE TABLE " + ledger
                                + " (id BIGINT AUTO_INCREMENT PRIMARY KEY, msg_key VARCHAR(64) NOT NULL) ENGINE=InnoDB");
        return ledger;
    }

    @Override
    public void afterAll(ExtensionContext context) throws SQLException {
        close();
    }

    @Override
    public void close() throws SQLException {
        try {
            for (String name : tables) {
                execute("DROP TABLE IF EXISTS " + name);
            }
        } finally {
            dataSource.close();
        }
    }
}
