package io.dedup.bench.e2e;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.dedup.testkit.ServiceEndpoint;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.io.IOException;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Objects;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * The services every arm shares for a whole benchmark run: the Kafka broker's address, Redis (a client for stores,
 * its commands counted, and one for housekeeping), two PostgreSQL pools, one for stores (its round trips counted)
 * and one for handlers and housekeeping (not counted), and RabbitMQ when RabbitMQ arms run. Thread-safe.
 */
public final class BenchServices implements AutoCloseable {
    /** Table names the harness puts into SQL text: lower case, PostgreSQL's 63-character limit. */
    private static final Pattern IDENTIFIER = Pattern.compile("[a-z][a-z0-9_]{0,62}");

    /** The Kafka broker every Kafka arm reads from. */
    private final String bootstrapServers;
    /** Where Redis is, for the stores and Camel's repository. */
    private final ServiceEndpoint redis;
    /** Where PostgreSQL is, for both pools. */
    private final ServiceEndpoint postgres;
    /**
     * Counts every command the store clients send: Redis store calls are counted here, on the wire, whoever sends them.
     */
    private final RedisCommandCounter redisCommands = new RedisCommandCounter();

    /** The counted client resources: every client built on them has its commands counted. */
    private final ClientResources redisResources;
    /** The stores' Redis client, on the counted resources. */
    private final RedisClient storeRedisClient;
    /** A client outside the counted resources, for deleting keys between runs without inflating any arm's count. */
    private final RedisClient housekeepingRedisClient;

    /** The housekeeping connection. */
    private final StatefulRedisConnection<String, String> redisConnection;
    /** The pool behind {@link #storeDataSource}. */
    private final HikariDataSource storePool;
    /** The store pool, counted: PostgreSQL store calls are its statements, commits and rollbacks. */
    private final CountingDataSource storeDataSource;
    /** The handlers' and housekeeping pool, not counted: a handler's insert is not a store call. */
    private final HikariDataSource handlerPool;
    /** RabbitMQ, or null when no RabbitMQ arm runs (so a Kafka-only run needs no RabbitMQ). */
    private final ServiceEndpoint rabbitmq;

    /** Services without RabbitMQ, for tests of the Kafka and store parts. */
    BenchServices(String bootstrapServers, ServiceEndpoint redis, ServiceEndpoint postgres) {
        this(bootstrapServers, redis, postgres, null);
    }

    /** With {@code rabbitmq} null, RabbitMQ arms cannot run. */
    BenchServices(String bootstrapServers, ServiceEndpoint redis, ServiceEndpoint postgres, ServiceEndpoint rabbitmq) {
        this.rabbitmq = rabbitmq;
        this.bootstrapServers = Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        this.redis = Objects.requireNonNull(redis, "redis");
        this.postgres = Objects.requireNonNull(postgres, "postgres");
        // the counting hooks into Lettuce's latency recorder: it sees every command completed on these resources
        this.redisResources = DefaultClientResources.builder()
                .commandLatencyRecorder(redisCommands)
                .build();
        this.storeRedisClient = RedisClient.create(redisResources, RedisURI.create(redis.uri()));
        this.housekeepingRedisClient = RedisClient.create(RedisURI.create(redis.uri()));
        this.redisConnection = housekeepingRedisClient.connect();
        // four connections: enough for a store's batch and renewal traffic without queueing on the pool
        this.storePool = pool(postgres, "bench-store", 4);
        this.storeDataSource = new CountingDataSource(storePool);
        this.handlerPool = pool(postgres, "bench-handler", 3);
    }

    /** A pool of {@code size} connections, one kept idle so the first statement of a run does not pay for a connect. */
    private static HikariDataSource pool(ServiceEndpoint postgres, String name, int size) {
        HikariConfig config = new HikariConfig();
        config.setPoolName(name);
        config.setJdbcUrl(postgres.jdbcUrl());
        config.setUsername(postgres.user());
        config.setPassword(postgres.password());
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(1);
        return new HikariDataSource(config);
    }

    /** {@code host:port} of the Kafka broker. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** Where Redis is. */
    public ServiceEndpoint redis() {
        return redis;
    }

    /** Where PostgreSQL is. */
    public ServiceEndpoint postgres() {
        return postgres;
    }

    /**
     * The Lettuce client Redis stores must use (or build theirs on {@link #redisResources()}): its commands are
     * the Redis store calls. Shared; do not shut it down.
     */
    public RedisClient redisClient() {
        return storeRedisClient;
    }

    /** Lettuce client resources whose clients' commands are counted as Redis store calls. Shared. */
    public ClientResources redisResources() {
        return redisResources;
    }

    /** The pool stores must use: its statements and commits are the PostgreSQL store calls. */
    public DataSource storeDataSource() {
        return storeDataSource;
    }

    /** The pool handlers use; not counted. */
    public DataSource handlerDataSource() {
        return handlerPool;
    }

    /** The store calls made so far on {@code kind}, where the harness counts them outside the arm. */
    long storeRoundTrips(StoreKind kind) {
        return switch (kind) {
            case REDIS -> redisCommands.commands();
            case POSTGRES -> storeDataSource.roundTrips();
            case NONE, MEMORY -> 0;
        };
    }

    /**
     * A new connection to RabbitMQ named {@code name}; the caller closes it.
     *
     * @throws IllegalStateException if this run has no RabbitMQ (no RabbitMQ arm was selected)
     */
    public Connection rabbitConnection(String name) throws IOException, TimeoutException {
        if (rabbitmq == null) {
            throw new IllegalStateException("no RabbitMQ in this run");
        }
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost(rabbitmq.host());
        factory.setPort(rabbitmq.port());
        factory.setUsername(rabbitmq.user());
        factory.setPassword(rabbitmq.password());
        // the endpoint's database is RabbitMQ's virtual host; empty means the default
        factory.setVirtualHost(rabbitmq.database().isEmpty() ? "/" : rabbitmq.database());
        return factory.newConnection(name);
    }

    /**
     * Runs housekeeping DDL on the uncounted pool.
     *
     * @throws SQLException if the statement fails
     */
    public void execute(String sql) throws SQLException {
        try (java.sql.Connection connection = handlerPool.getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    /**
     * The rows {@code table} holds, counted on the uncounted pool.
     *
     * @throws IllegalArgumentException if {@code table} is not a plain identifier
     * @throws SQLException if the table cannot be read
     */
    public long rowCount(String table) throws SQLException {
        try (java.sql.Connection connection = handlerPool.getConnection();
                Statement statement = connection.createStatement();
                java.sql.ResultSet rows = statement.executeQuery("SELECT COUNT(*) FROM " + identifier(table))) {
            rows.next();
            return rows.getLong(1);
        }
    }

    /**
     * Drops {@code table} if it exists.
     *
     * @throws IllegalArgumentException if {@code table} is not a plain identifier
     * @throws SQLException if the drop fails
     */
    public void dropTable(String table) throws SQLException {
        execute("DROP TABLE IF EXISTS " + identifier(table));
    }

    /**
     * Checks that {@code name} is a plain lower-case SQL identifier, so it can be put into SQL text.
     *
     * @throws IllegalArgumentException if it is not
     */
    public static String identifier(String name) {
        if (!IDENTIFIER.matcher(name).matches()) {
            throw new IllegalArgumentException("not a plain SQL identifier: " + name);
        }
        return name;
    }

    /** Deletes every Redis key starting with {@code prefix}; returns how many. */
    public long deleteRedisKeys(String prefix) {
        RedisCommands<String, String> commands = redisConnection.sync();
        // SCAN and UNLINK in pages, never KEYS: the Redis is shared, and KEYS would block it
        ScanArgs args = ScanArgs.Builder.matches(escapeGlob(prefix) + "*").limit(1000);
        long deleted = 0;
        ScanCursor cursor = ScanCursor.INITIAL;
        do {
            KeyScanCursor<String> page = commands.scan(cursor, args);
            if (!page.getKeys().isEmpty()) {
                deleted += commands.unlink(page.getKeys().toArray(String[]::new));
            }
            cursor = page;
        } while (!cursor.isFinished());
        return deleted;
    }

    /** {@code text} with SCAN's glob characters escaped, so a prefix matches only itself. */
    private static String escapeGlob(String text) {
        return text.replaceAll("([*?\\[\\]\\\\])", "\\\\$1");
    }

    /** Closes the pools and clients, in the reverse order of their use. */
    @Override
    public void close() {
        handlerPool.close();
        storePool.close();
        redisConnection.close();
        housekeepingRedisClient.shutdown();
        storeRedisClient.shutdown();
        redisResources.shutdown();
    }
}
