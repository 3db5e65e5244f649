package io.dedup.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.dedup.Claim;
import io.dedup.DedupKey;
import io.dedup.DedupResult;
import io.dedup.OutcomeStatus;
import io.dedup.jdbc.JdbcDedupStore;
import io.dedup.jdbc.TransactionalDedup;
import io.dedup.jdbc.TransactionalHandler;
import io.dedup.spi.ClaimRequest;
import io.dedup.spi.ClaimResult;
import io.dedup.spi.Completion;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The JDBC store on PostgreSQL, one thread, new keys only: claims one at a time (one statement each) against
 * {@value #BATCH} per {@code claimAll} statement, the same with completion, and the transactional mode (claim, a
 * ledger insert and completion in one transaction) one message per transaction and {@value #TX_BATCH} per
 * transaction. Scores are per key (or message) per second.
 *
 * <p>PostgreSQL at {@code DEDUP_BENCH_POSTGRES_URL} (default {@code jdbc:postgresql://127.0.0.1:5432/test}, user
 * postgres). Each trial uses its own tables, which grow through its iterations as a production table would, and
 * drops them. (Not truncated between iterations: after a TRUNCATE PostgreSQL believes the table empty and caches
 * sequential-scan plans until autovacuum analyzes it again.)
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsAppend = "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn")
@State(Scope.Thread)
public class JdbcStoreBenchmark {
    /** Keys per {@code claimAll}: a full Kafka poll's worth, the batch the runner hands the store. */
    static final int BATCH = 500;
    /**
     * Messages per transaction in the batched transactional mode; fewer than {@link #BATCH}, since each one also writes
     * a ledger row and holds its row locks until the commit.
     */
    static final int TX_BATCH = 100;

    private static final Duration LEASE = Duration.ofMinutes(5);
    private static final Duration RETENTION = Duration.ofHours(1);

    /** A message of the transactional benchmarks. */
    public record Message(String id) {}

    /**
     * A small pool, as an application would give the store; the benchmark's one thread uses one connection at a time.
     */
    private HikariDataSource dataSource;

    /** The store of the leased-mode benchmarks, on this trial's table. */
    private JdbcDedupStore store;
    /** The transactional mode over the same store, in a namespace of its own. */
    private TransactionalDedup<Message> transactional;
    /** The application's write in the transactional benchmarks: one ledger insert on the transaction's connection. */
    private TransactionalHandler<Message> ledgerInsert;
    /** This trial's key table; its own, so trials never see each other's rows or plans. */
    private String table;
    /** The ledger the transactional modes insert into: the application's own write that shares the transaction. */
    private String ledger;

    /** This trial's namespace. */
    private String namespace;
    /**
     * The next key number; keys are always new, so every claim acquires and the figure is the cost of a real insert.
     */
    private long next;

    /** Creates this trial's tables and the stores over them; not timed. */
    @Setup(Level.Trial)
    public void setUp() throws SQLException {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(env("DEDUP_BENCH_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:5432/test"));
        config.setUsername(env("DEDUP_BENCH_POSTGRES_USER", "postgres"));
        config.setPassword(env("DEDUP_BENCH_POSTGRES_PASSWORD", ""));
        config.setMaximumPoolSize(4);
        dataSource = new HikariDataSource(config);
        // tables of this trial's own: a store table grows through a trial as a production table does
        String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        table = "bench_keys_" + suffix;
        ledger = "bench_ledger_" + suffix;
        store = JdbcDedupStore.builder(dataSource)
                .table(table)
                .createSchema(true)
                .build();
        execute("CREATE TABLE " + ledger + " (id BIGSERIAL PRIMARY KEY, msg_key VARCHAR(64) NOT NULL)");
        namespace = "bench-" + suffix;
        transactional = TransactionalDedup.builder(store, (Message m) -> Optional.of(m.id()))
                .namespace(namespace + "-tx")
                .build();
        String insert = "INSERT INTO " + ledger + " (msg_key) VALUES (?)";
        ledgerInsert = (message, tx) -> {
            try (PreparedStatement ps = tx.connection().prepareStatement(insert)) {
                ps.setString(1, message.id());
                ps.executeUpdate();
            }
        };
    }

    /** Drops this trial's tables, then closes the store and the pool, even if the drop failed. */
    @TearDown(Level.Trial)
    public void tearDown() throws SQLException {
        try {
            execute("DROP TABLE IF EXISTS " + table + ", " + table + "_positions, " + ledger);
        } finally {
            store.close();
            dataSource.close();
        }
    }

    /** Runs one DDL statement on a connection of its own. */
    private void execute(String sql) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    /** The environment variable {@code name}, or {@code defaultValue} when it is unset or blank. */
    private static String env(String name, String defaultValue) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? defaultValue : value;
    }

    /** A claim of a key never claimed before in this trial. */
    private ClaimRequest newRequest() {
        return ClaimRequest.of(DedupKey.of(namespace, "k" + next++), LEASE, RETENTION);
    }

    /** One claim, one statement: the cost a store without batching pays per message. */
    @Benchmark
    public ClaimResult claimOneAtATime() {
        return store.claim(newRequest());
    }

    /** {@value #BATCH} claims in one {@code claimAll}: what the runner pays per poll, divided by the keys. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public List<ClaimResult> claimBatched() {
        List<ClaimRequest> requests = new ArrayList<>(BATCH);
        for (int i = 0; i < BATCH; i++) {
            requests.add(newRequest());
        }
        return store.claimAll(requests);
    }

    /** A claim and its completion, two statements: the leased mode's store work per message, unbatched. */
    @Benchmark
    public Object claimAndCompleteOneAtATime() {
        Claim claim = ((ClaimResult.Acquired) store.claim(newRequest())).claim();
        return store.complete(
                new Completion(claim.key(), claim.token(), OutcomeStatus.SUCCEEDED, new byte[0], RETENTION));
    }

    /** The same, batched: one {@code claimAll} and one {@code completeAll} for {@value #BATCH} keys. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public Object claimAndCompleteBatched() {
        List<ClaimRequest> requests = new ArrayList<>(BATCH);
        for (int i = 0; i < BATCH; i++) {
            requests.add(newRequest());
        }
        List<Completion> completions = new ArrayList<>(BATCH);
        for (ClaimResult result : store.claimAll(requests)) {
            Claim claim = ((ClaimResult.Acquired) result).claim();
            completions.add(
                    new Completion(claim.key(), claim.token(), OutcomeStatus.SUCCEEDED, new byte[0], RETENTION));
        }
        return store.completeAll(completions);
    }

    /** Transactional mode, one message per transaction: claim, ledger insert and completion, then one commit. */
    @Benchmark
    public DedupResult<Void> transactionalOnePerTransaction() {
        return transactional.process(new Message("m" + next++), ledgerInsert);
    }

    /**
     * Transactional mode, {@value #TX_BATCH} messages per transaction: the commit's cost is shared, as in a Kafka poll.
     */
    @Benchmark
    @OperationsPerInvocation(TX_BATCH)
    public List<DedupResult<Void>> transactionalBatchPerTransaction() {
        List<Message> messages = new ArrayList<>(TX_BATCH);
        for (int i = 0; i < TX_BATCH; i++) {
            messages.add(new Message("m" + next++));
        }
        return transactional.processAll(messages, ledgerInsert);
    }
}
