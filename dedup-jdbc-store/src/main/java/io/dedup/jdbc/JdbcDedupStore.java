package io.dedup.jdbc;

import io.dedup.DedupKey;
import io.dedup.DedupStoreUnavailableException;
import io.dedup.spi.Checks;
import io.dedup.spi.ClaimRequest;
import io.dedup.spi.ClaimResult;
import io.dedup.spi.Completion;
import io.dedup.spi.DedupStore;
import io.dedup.spi.ExpiredEntriesPurger;
import io.dedup.spi.StoreTransaction;
import io.dedup.spi.StoredRecord;
import io.dedup.spi.TransactionalStore;
import io.dedup.spi.WriteResult;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The processed-keys store in a relational database: PostgreSQL, or MariaDB/MySQL, through the application's
 * {@link DataSource} (a pool such as HikariCP) and the JDBC driver the application chose.
 *
 * <pre>{@code
 * JdbcDedupStore store = JdbcDedupStore.builder(dataSource)
 *         .table("dedup_keys")
 *         .createSchema(true)
 *         .build();
 * }</pre>
 *
 * <p>Each key is one row. Every claim is one statement judged by the database's clock; {@link #claimAll} and
 * {@link #completeAll} take one statement per batch (PostgreSQL: arrays spread with {@code unnest}; MariaDB:
 * multi-row statements read back). No statement waits longer than the {@linkplain Builder#lockTimeout lock
 * timeout}; a timeout, a lost connection or a database that is down surface as {@link
 * DedupStoreUnavailableException}. Expired rows stay until {@link #purgeExpired} deletes them (or a {@linkplain
 * Builder#purgeEvery scheduled purge}); claims treat them as absent meanwhile.
 *
 * <p>Transactional mode: {@link #begin()} (a connection of the store's pool) and {@link #begin(Connection)} (the
 * caller's connection and transaction) give a {@link StoreTransaction} in which claims, completions, consumed
 * positions and the application's own writes commit together. {@link TransactionalDedup} builds on it.
 *
 * <p>Thread-safe. The operations throw {@link DedupStoreUnavailableException} when the database cannot answer or
 * the store is closed, and {@link io.dedup.DedupStoreCorruptionException} (in a batch: as that key's failed
 * answer) for a row that breaks the store's invariants.
 */
public final class JdbcDedupStore implements DedupStore, ExpiredEntriesPurger, TransactionalStore {
    /** The default table name. */
    public static final String DEFAULT_TABLE = "dedup_keys";
    /** The default longest wait of one statement. */
    public static final Duration DEFAULT_LOCK_TIMEOUT = Duration.ofSeconds(10);

    private final StoreDatabase db;
    private final PooledKeyOperations operations;
    private final Duration lockTimeout;

    private JdbcDedupStore(Builder builder, SqlDialect dialect) {
        this.db = new StoreDatabase(builder.dataSource, dialect, builder.owned);
        this.operations = new PooledKeyOperations(db);
        this.lockTimeout = builder.lockTimeout;
    }

    /** A builder for a store over {@code dataSource}, which the store never closes. */
    public static Builder builder(DataSource dataSource) {
        return new Builder(Objects.requireNonNull(dataSource, "dataSource"));
    }

    /**
     * The DDL the store needs, for applications that manage their schema themselves (Flyway, Liquibase): the keys
     * table, its index on {@code expires_at}, and the positions table.
     *
     * @throws IllegalArgumentException if {@code table} is not a valid identifier
     */
    public static String schema(JdbcDialect dialect, String table) {
        Objects.requireNonNull(dialect, "dialect");
        return SchemaInstaller.script(SqlDialect.of(dialect, TableName.of(table), 1));
    }

    /** The dialect the store speaks, as configured or detected. */
    public JdbcDialect dialect() {
        return db.sql.kind();
    }

    /** The keys table, as configured. */
    public String table() {
        return db.sql.table.qualified();
    }

    /** The positions table of the transactional mode. */
    public String positionsTable() {
        return db.sql.table.positions();
    }

    /** The longest wait of one statement, as configured. */
    public Duration lockTimeout() {
        return lockTimeout;
    }

    @Override
    public ClaimResult claim(ClaimRequest request) {
        return operations.claim(Objects.requireNonNull(request, "request"));
    }

    @Override
    public List<ClaimResult> claimAll(List<ClaimRequest> requests) {
        return Objects.requireNonNull(requests, "requests").isEmpty() ? List.of() : operations.claimAll(requests);
    }

    @Override
    public WriteResult complete(Completion completion) {
        return operations.complete(Objects.requireNonNull(completion, "completion"));
    }

    @Override
    public List<WriteResult> completeAll(List<Completion> completions) {
        return Objects.requireNonNull(completions, "completions").isEmpty()
                ? List.of()
                : operations.completeAll(completions);
    }

    @Override
    public WriteResult renew(DedupKey key, long token, Duration lease) {
        Objects.requireNonNull(lease, "lease");
        return operations.renew(Objects.requireNonNull(key, "key"), token, lease);
    }

    @Override
    public WriteResult release(DedupKey key, long token, Duration retention) {
        Objects.requireNonNull(retention, "retention");
        return operations.release(Objects.requireNonNull(key, "key"), token, retention);
    }

    @Override
    public Optional<StoredRecord> find(DedupKey key) {
        return operations.find(Objects.requireNonNull(key, "key"));
    }

    /**
     * Deletes at most {@code maxEntries} rows whose expiry has passed by the database's clock, in one statement.
     *
     * @throws IllegalArgumentException if {@code maxEntries} is less than 1
     */
    @Override
    public int purgeExpired(int maxEntries) {
        return operations.purgeExpired(Checks.atLeast(maxEntries, 1, "maxEntries"));
    }

    /**
     * Starts a transaction on a connection of the store's data source (READ COMMITTED on MariaDB/MySQL; PostgreSQL
     * runs its default READ COMMITTED). Close it to return the connection.
     *
     * @throws DedupStoreUnavailableException if no connection can be had
     */
    @Override
    public StoreTransaction begin() {
        return db.beginTransaction();
    }

    /**
     * Joins the transaction the caller runs on {@code connection} (autocommit off), for applications that manage
     * their transactions (Spring's {@code DataSourceUtils.getConnection} inside a {@code TransactionTemplate}, for
     * example). The store marks a savepoint: {@link StoreTransaction#rollback()} returns to it, {@link
     * StoreTransaction#commit()} releases it, and the caller's own commit makes everything durable. The store never
     * commits, rolls back the whole transaction, or closes the connection. Use READ COMMITTED.
     *
     * @throws IllegalArgumentException if the connection is in autocommit mode
     * @throws DedupStoreUnavailableException if the savepoint cannot be set
     */
    public StoreTransaction begin(Connection connection) {
        Objects.requireNonNull(connection, "connection");
        return db.joinTransaction(connection);
    }

    @Override
    public String describe() {
        return db.description;
    }

    /** Stops the scheduled purge and closes what the store created (a pool made by the provider). */
    @Override
    public void close() {
        db.close();
    }

    @Override
    public String toString() {
        return db.description;
    }

    /**
     * Configures a {@link JdbcDedupStore}. Each setter checks its argument. Not thread-safe; the store it builds
     * is.
     */
    public static final class Builder {
        private final DataSource dataSource;
        private JdbcDialect dialect;
        private String table = DEFAULT_TABLE;
        private boolean createSchema;
        private Duration lockTimeout = DEFAULT_LOCK_TIMEOUT;
        private Duration purgeInterval;
        private int purgeBatch = ScheduledPurger.DEFAULT_BATCH_SIZE;
        private final List<AutoCloseable> owned = new ArrayList<>();

        private Builder(DataSource dataSource) {
            this.dataSource = dataSource;
        }

        /** The SQL dialect. Default: read from the connection's metadata when the store is built. */
        public Builder dialect(JdbcDialect dialect) {
            this.dialect = Objects.requireNonNull(dialect, "dialect");
            return this;
        }

        /**
         * The keys table: a plain identifier of at most 51 characters, optionally schema-qualified ({@code
         * ops.dedup_keys}). The positions table is named after it with {@code _positions}. Default {@value
         * #DEFAULT_TABLE}.
         *
         * @throws IllegalArgumentException if it is not such an identifier
         */
        public Builder table(String table) {
            this.table = TableName.of(table).qualified();
            return this;
        }

        /** Create the tables and index at build time if they do not exist. Default: false. */
        public Builder createSchema(boolean createSchema) {
            this.createSchema = createSchema;
            return this;
        }

        /**
         * How long one statement may wait, for a row lock or anything else, before the store gives up with {@link
         * DedupStoreUnavailableException}. Enforced with the JDBC query timeout, so in whole seconds (rounded up).
         * Default 10 s.
         */
        public Builder lockTimeout(Duration lockTimeout) {
            this.lockTimeout = Checks.positive(lockTimeout, "lockTimeout");
            return this;
        }

        /**
         * Purge expired rows every {@code interval} on a daemon thread the store owns, {@code batchSize} rows per
         * statement. Off by default: call {@link JdbcDedupStore#purgeExpired} or run a {@link ScheduledPurger}.
         */
        public Builder purgeEvery(Duration interval, int batchSize) {
            this.purgeInterval = Checks.positive(interval, "interval");
            this.purgeBatch = Checks.atLeast(batchSize, 1, "batchSize");
            return this;
        }

        /** Something the store closes with itself, such as a pool the provider created. */
        Builder closeWithStore(AutoCloseable resource) {
            owned.add(resource);
            return this;
        }

        /**
         * @throws DedupStoreUnavailableException if the dialect must be detected or the schema created and the
         *     database cannot be reached
         */
        public JdbcDedupStore build() {
            // Resolved here, not in the setters: detection and schema creation need the database, the setters not.
            TableName name = TableName.of(table);
            int timeout = Micros.seconds(lockTimeout);
            JdbcDialect chosen = dialect != null ? dialect : SqlDialect.detect(dataSource);
            SqlDialect sql = SqlDialect.of(chosen, name, timeout);
            if (createSchema) {
                new SchemaInstaller(dataSource, sql).install();
            }
            JdbcDedupStore store = new JdbcDedupStore(this, sql);
            if (purgeInterval != null) {
                store.db.closeFirst(ScheduledPurger.start(store, purgeInterval, purgeBatch));
            }
            return store;
        }
    }
}
