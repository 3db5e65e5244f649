package io.dedup.bench.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.dedup.DedupKey;
import io.dedup.spi.ClaimRequest;
import io.dedup.spi.ClaimResult;
import io.dedup.spi.DedupStore;
import io.dedup.testkit.LocalServices;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Against the real Redis and PostgreSQL: this library's stores as the dedup arms set them up are counted where the
 * harness counts store calls (a batch of 500 claims is one or two round trips, an unbatched one 500), and leave
 * nothing behind.
 */
class DedupStoreSetupTest {
    private static BenchServices services;

    @BeforeAll
    static void services() {
        services = new BenchServices("127.0.0.1:1", LocalServices.redis(), LocalServices.postgres());
    }

    @AfterAll
    static void close() {
        services.close();
    }

    private static ArmRun run() {
        Workload workload = new Workload(Workload.Duplicates.NONE, Workload.HandlerKind.NOOP, 500);
        return new ArmRun(
                "t" + Long.toString(System.nanoTime(), 36),
                workload,
                "unused",
                BenchHandler.noop(16),
                services,
                Duration.ofSeconds(5));
    }

    private static List<ClaimRequest> claims(ArmRun run, String prefix, int count) {
        List<ClaimRequest> requests = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            requests.add(ClaimRequest.of(
                    DedupKey.of(run.runId(), prefix + i), Duration.ofMinutes(1), Duration.ofMinutes(5)));
        }
        return requests;
    }

    /** Store calls counted for claiming {@code count} new keys in one claimAll, after a warm-up claim. */
    private static long countedClaimAll(DedupStoreSetup setup, ArmRun run, DedupStore store, int count) {
        store.claimAll(claims(run, "warm-up-", 1)); // connects and loads scripts: not part of the batch
        long before = services.storeRoundTrips(setup.store());
        List<ClaimResult> results = store.claimAll(claims(run, "order-", count));
        long counted = services.storeRoundTrips(setup.store()) - before;
        assertThat(results).hasSize(count).allMatch(result -> result instanceof ClaimResult.Acquired);
        return counted;
    }

    @Test
    void a_batch_of_500_redis_claims_is_one_counted_command_and_its_keys_are_deleted_afterwards() throws Exception {
        DedupStoreSetup redis = DedupStoreSetup.redis();
        ArmRun run = run();
        DedupStore store = redis.create(run);
        try {
            assertThat(countedClaimAll(redis, run, store, 500)).isEqualTo(1);
        } finally {
            store.close();
            redis.cleanUp(run, store);
        }
        assertThat(services.deleteRedisKeys("bench:" + run.runId() + ":")).isZero();
        // closing the store left the shared, counted client usable
        DedupStore again = redis.create(run);
        try {
            assertThat(countedClaimAll(redis, run, again, 1)).isEqualTo(1);
        } finally {
            again.close();
            redis.cleanUp(run, again);
        }
    }

    @Test
    void an_unbatched_redis_store_makes_one_counted_command_per_claim() throws Exception {
        DedupStoreSetup redis = DedupStoreSetup.redis();
        ArmRun run = run();
        DedupStore store = redis.create(run);
        try {
            assertThat(countedClaimAll(redis, run, new UnbatchedStore(store), 50))
                    .isEqualTo(50);
        } finally {
            store.close();
            redis.cleanUp(run, store);
        }
    }

    @Test
    void a_batch_of_500_postgres_claims_is_a_few_counted_round_trips_and_its_tables_are_dropped_afterwards()
            throws Exception {
        DedupStoreSetup jdbc = DedupStoreSetup.jdbc();
        ArmRun run = run();
        DedupStore store = jdbc.create(run);
        try {
            assertThat(countedClaimAll(jdbc, run, store, 500)).isBetween(1L, 3L);
        } finally {
            store.close();
            jdbc.cleanUp(run, store);
        }
        assertThat(tableExists("dedup_" + run.runId())).isFalse();
        assertThat(tableExists("dedup_" + run.runId() + "_positions")).isFalse();
    }

    @Test
    void cleaning_up_a_store_that_was_never_created_does_not_fail() throws Exception {
        ArmRun run = run();
        DedupStoreSetup.jdbc().cleanUp(run, null);
        DedupStoreSetup.redis().cleanUp(run, null);
        DedupStoreSetup.memory().cleanUp(run, null);
    }

    private static boolean tableExists(String table) throws Exception {
        try (Connection connection = services.handlerDataSource().getConnection();
                ResultSet tables = connection.getMetaData().getTables(null, null, table, null)) {
            return tables.next();
        }
    }
}
