package io.dedup.jdbc;

import io.dedup.DedupConfigurationException;
import io.dedup.spi.DedupStore;
import io.dedup.spi.DedupStoreProvider;
import io.dedup.spi.StoreSettings;
import java.time.Duration;
import java.util.Set;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the JDBC store the store "selected by dependency" ({@code dedup.store=jdbc} when several are present).
 * Settings, each a system property or its environment variable twin:
 *
 * <table>
 *   <caption>settings</caption>
 *   <tr><th>property</th><th>environment</th><th>meaning</th></tr>
 *   <tr><td>{@code dedup.jdbc.url}</td><td>{@code DEDUP_JDBC_URL}</td><td>JDBC URL; required</td></tr>
 *   <tr><td>{@code dedup.jdbc.user}</td><td>{@code DEDUP_JDBC_USER}</td><td>user name</td></tr>
 *   <tr><td>{@code dedup.jdbc.password}</td><td>{@code DEDUP_JDBC_PASSWORD}</td><td>password; never logged</td></tr>
 *   <tr><td>{@code dedup.jdbc.table}</td><td>{@code DEDUP_JDBC_TABLE}</td><td>keys table, default {@code dedup_keys}</td></tr>
 *   <tr><td>{@code dedup.jdbc.create-schema}</td><td>{@code DEDUP_JDBC_CREATE_SCHEMA}</td><td>create missing tables, default true</td></tr>
 *   <tr><td>{@code dedup.jdbc.lock-timeout}</td><td>{@code DEDUP_JDBC_LOCK_TIMEOUT}</td><td>a duration ({@code 10s}, {@code PT10S}), default 10 s</td></tr>
 *   <tr><td>{@code dedup.jdbc.pool-size}</td><td>{@code DEDUP_JDBC_POOL_SIZE}</td><td>HikariCP pool size, default 10</td></tr>
 *   <tr><td>{@code dedup.jdbc.purge-interval}</td><td>{@code DEDUP_JDBC_PURGE_INTERVAL}</td><td>a duration; purge expired rows this often (default 5 min; {@code 0s} turns it off)</td></tr>
 * </table>
 *
 * <p>The pool is HikariCP when it is on the classpath, otherwise a plain {@code DriverManager} data source (a new
 * connection per call: add HikariCP for production). The JDBC driver must be on the classpath. Stateless and
 * thread-safe.
 */
public final class JdbcDedupStoreProvider implements DedupStoreProvider {
    /** The JDBC URL; required. */
    public static final String URL = "dedup.jdbc.url";
    /** The database user. */
    public static final String USER = "dedup.jdbc.user";
    /** The database password; never logged. */
    public static final String PASSWORD = "dedup.jdbc.password";
    /** The keys table. */
    public static final String TABLE = "dedup.jdbc.table";
    /** Whether to create missing tables at start. */
    public static final String CREATE_SCHEMA = "dedup.jdbc.create-schema";
    /** The longest wait of one statement. */
    public static final String LOCK_TIMEOUT = "dedup.jdbc.lock-timeout";
    /** The size of the HikariCP pool the provider creates. */
    public static final String POOL_SIZE = "dedup.jdbc.pool-size";
    /** How often to purge expired rows; zero turns the purge off. */
    public static final String PURGE_INTERVAL = "dedup.jdbc.purge-interval";

    private static final Logger LOG = LoggerFactory.getLogger(JdbcDedupStoreProvider.class);

    @Override
    public String name() {
        return "jdbc";
    }

    @Override
    public Set<String> settingNames() {
        return Set.of(URL, USER, PASSWORD, TABLE, CREATE_SCHEMA, LOCK_TIMEOUT, POOL_SIZE, PURGE_INTERVAL);
    }

    /**
     * @throws DedupConfigurationException if the URL is missing or a setting is malformed
     * @throws io.dedup.DedupStoreUnavailableException if the schema must be created and the database is down
     */
    @Override
    public DedupStore create(StoreSettings settings) {
        String url = settings.get(URL)
                .orElseThrow(() -> new DedupConfigurationException("the JDBC store needs " + URL + " (or "
                        + StoreSettings.environmentName(URL) + "), e.g. jdbc:postgresql://localhost:5432/app"));
        String user = settings.get(USER).orElse(null);
        String password = settings.get(PASSWORD).orElse(null);
        String table = settings.get(TABLE, JdbcDedupStore.DEFAULT_TABLE);
        boolean createSchema = settings.flag(CREATE_SCHEMA).orElse(true);
        Duration lockTimeout = settings.duration(LOCK_TIMEOUT).orElse(JdbcDedupStore.DEFAULT_LOCK_TIMEOUT);
        Duration purgeInterval = settings.duration(PURGE_INTERVAL).orElse(Duration.ofMinutes(5));
        if (lockTimeout.isNegative()) {
            throw new DedupConfigurationException(LOCK_TIMEOUT + " must not be negative, got " + lockTimeout);
        }
        if (purgeInterval.isNegative()) {
            throw new DedupConfigurationException(PURGE_INTERVAL + " must not be negative, got " + purgeInterval);
        }
        int poolSize = poolSize(settings);
        // Checked before a pool is made, so that a bad name does not leave a pool behind.
        try {
            TableName.of(table);
        } catch (IllegalArgumentException e) {
            throw new DedupConfigurationException(TABLE + ": " + e.getMessage());
        }
        boolean pooled = HikariPools.available();
        DataSource dataSource = pooled
                ? HikariPools.create(url, user, password, poolSize)
                : new DriverManagerDataSource(url, user, password);
        JdbcDedupStore.Builder builder = JdbcDedupStore.builder(dataSource)
                .table(table)
                .createSchema(createSchema)
                .lockTimeout(lockTimeout);
        // Known from the URL, the dialect needs no connection at start: a store can be created while the database
        // is down (unless the schema must be created).
        JdbcDialect.fromJdbcUrl(url).ifPresent(builder::dialect);
        if (!purgeInterval.isZero()) {
            builder.purgeEvery(purgeInterval, ScheduledPurger.DEFAULT_BATCH_SIZE);
        }
        if (dataSource instanceof AutoCloseable closeable) {
            builder.closeWithStore(closeable);
        }
        try {
            JdbcDedupStore store = builder.build();
            LOG.info(
                    "dedup JDBC store at {} ({}, table {}, {})",
                    JdbcUrls.redact(url),
                    store.dialect(),
                    store.table(),
                    pooled ? "HikariCP pool of " + poolSize : "no pool: add HikariCP for production");
            return store;
        } catch (RuntimeException e) {
            // The store was not made, so nobody else will close the pool this call created.
            if (dataSource instanceof AutoCloseable closeable) {
                try {
                    closeable.close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    /** The pool size setting, default 10, refused unless positive. */
    private static int poolSize(StoreSettings settings) {
        int size = settings.integer(POOL_SIZE).orElse(10);
        if (size < 1) {
            throw new DedupConfigurationException(POOL_SIZE + " must be a positive integer, got " + size);
        }
        return size;
    }
}
