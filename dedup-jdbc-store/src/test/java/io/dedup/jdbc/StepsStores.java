package io.dedup.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import io.dedup.spi.DedupStore;
import io.dedup.testkit.DedupStepsContract;
import io.dedup.testkit.LocalServices;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.EnumMap;
import java.util.Map;

/**
 * The local PostgreSQL or MariaDB with a table named after the scope; built by name in the steps contract's child
 * JVM. One small pool per database and JVM, closed when the JVM ends.
 */
public abstract class StepsStores implements DedupStepsContract.StoreFactory {
    private static final Map<JdbcDialect, HikariDataSource> POOLS = new EnumMap<>(JdbcDialect.class);

    private final JdbcDialect dialect;

    StepsStores(JdbcDialect dialect) {
        this.dialect = dialect;
    }

    static synchronized HikariDataSource pool(JdbcDialect dialect) {
        return POOLS.computeIfAbsent(
                dialect,
                d -> TestDatabase.pool(
                        d == JdbcDialect.POSTGRESQL ? LocalServices.postgres() : LocalServices.mariadb(), 4));
    }

    @Override
    public DedupStore create(String scope) {
        return JdbcDedupStore.builder(pool(dialect))
                .table(scope)
                .createSchema(true)
                .build();
    }

    /** Drops the scope's tables. */
    static void drop(JdbcDialect dialect, String scope) throws SQLException {
        try (Connection connection = pool(dialect).getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute("DROP TABLE IF EXISTS " + scope);
            statement.execute("DROP TABLE IF EXISTS " + scope + "_positions");
        }
    }

    /** PostgreSQL. */
    public static final class Postgres extends StepsStores {
        public Postgres() {
            super(JdbcDialect.POSTGRESQL);
        }
    }

    /** MariaDB. */
    public static final class MariaDb extends StepsStores {
        public MariaDb() {
            super(JdbcDialect.MARIADB);
        }
    }
}
