package io.dedup.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.dedup.DedupKey;
import io.dedup.OutcomeStatus;
import io.dedup.jdbc.JdbcDedupStore;
import io.dedup.memory.InMemoryDedupStore;
import io.dedup.spi.ClaimRequest;
import io.dedup.spi.ClaimResult;
import io.dedup.spi.Completion;
import io.dedup.spi.DedupStore;
import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Bytes the in-memory and the PostgreSQL store spend per COMPLETED key without a stored result, for the same key
 * shape as {@link RedisBytesPerKey} (a 14-character namespace, 12-character ids such as {@code order-000042}):
 *
 * <ul>
 *   <li>in-memory: used heap after a full GC, before and after writing the keys, divided by their number;
 *   <li>PostgreSQL: {@code pg_total_relation_size} of a fresh keys table (heap, primary key index and expiry
 *       index) after writing the keys and {@code VACUUM}, divided by their number. The table is dropped at the end.
 * </ul>
 *
 * Run: {@code java -cp dedup-benchmarks/target/benchmarks.jar io.dedup.bench.StoreBytesPerKey [count]}
 * (PostgreSQL at {@code DEDUP_BENCH_POSTGRES_URL}, default {@code jdbc:postgresql://127.0.0.1:5432/test}).
 *
 * <p>Not thread-safe: a command-line measurement, run once per JVM.
 */
public final class StoreBytesPerKey {
    private static final Duration HOUR = Duration.ofHours(1);

    private StoreBytesPerKey() {}

    /**
     * Writes {@code count} keys (default 100,000) to each store and prints what they cost.
     *
     * @throws Exception if PostgreSQL cannot be reached or a statement fails; the table is dropped all the same
     */
    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        String namespace = "orders-" + UUID.randomUUID().toString().substring(0, 7);

        // in-memory first, alone on the heap: nothing else allocates between the two readings
        long before = usedHeapAfterGc();
        InMemoryDedupStore memory = InMemoryDedupStore.create();
        write(memory, namespace, count);
        long after = usedHeapAfterGc();
        Reference.reachabilityFence(memory); // the store must not be collected before the second measurement
        System.out.printf(
                "in-memory: heap per key           %.1f bytes (%,d keys)%n", (after - before) / (double) count, count);
        memory.close();

        // PostgreSQL: a fresh table, so the figure is the keys' alone, not an older run's dead tuples
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(env("DEDUP_BENCH_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:5432/test"));
        config.setUsername(env("DEDUP_BENCH_POSTGRES_USER", "postgres"));
        config.setPassword(env("DEDUP_BENCH_POSTGRES_PASSWORD", ""));
        config.setMaximumPoolSize(2);
        String table =
                "bench_bytes_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        try (HikariDataSource dataSource = new HikariDataSource(config)) {
            try (JdbcDedupStore store = JdbcDedupStore.builder(dataSource)
                    .table(table)
                    .createSchema(true)
                    .build()) {
                write(store, namespace, count);
            }
            try (Connection c = dataSource.getConnection();
                    Statement s = c.createStatement()) {
                // VACUUM first: the claims' row versions replaced by the completions would otherwise count twice
                s.execute("VACUUM " + table);
                try (ResultSet rs = s.executeQuery("SELECT pg_relation_size('" + table + "')," + " pg_indexes_size('"
                        + table + "'), pg_total_relation_size('" + table + "')")) {
                    rs.next();
                    System.out.printf(
                            "postgresql: table %.1f + indexes %.1f = %.1f bytes per key (%,d keys)%n",
                            rs.getLong(1) / (double) count,
                            rs.getLong(2) / (double) count,
                            rs.getLong(3) / (double) count,
                            count);
                }
            } finally {
                drop(dataSource, table);
            }
        }
    }

    /**
     * Claims and completes {@code count} keys of {@code namespace} in batches of 500, as the runner writes them, with
     * an empty outcome: the smallest record a store keeps per processed message. Shared with {@link
     * RedisBytesPerKey}, so every store is measured with the same keys.
     */
    static void write(DedupStore store, String namespace, int count) {
        for (int start = 0; start < count; start += 500) {
            List<ClaimRequest> requests = new ArrayList<>();
            for (int i = start; i < Math.min(count, start + 500); i++) {
                requests.add(ClaimRequest.of(DedupKey.of(namespace, String.format("order-%06d", i)), HOUR, HOUR));
            }
            List<Completion> completions = new ArrayList<>();
            for (ClaimResult result : store.claimAll(requests)) {
                var claim = ((ClaimResult.Acquired) result).claim();
                completions.add(new Completion(claim.key(), claim.token(), OutcomeStatus.SUCCEEDED, new byte[0], HOUR));
            }
            store.completeAll(completions);
        }
    }

    /**
     * Used heap after a few collections, with pauses so that concurrent collectors finish: a single {@code
     * System.gc()} may return before the old generation is compacted, which makes the per-key figure jump.
     */
    private static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static void drop(HikariDataSource dataSource, String table) throws SQLException {
        try (Connection c = dataSource.getConnection();
                Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + table);
            s.execute("DROP TABLE IF EXISTS " + table + "_positions");
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
