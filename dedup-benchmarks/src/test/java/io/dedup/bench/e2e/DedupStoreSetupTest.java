package io.dedup.bench.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.dedup.DedupKey;
import io.dedup.spi.ClaimRequest;
import io.dedup.spi.ClaimResult;
import io.dedup.spi.DedupStore;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Against the real Redis and PostgreSQL: this library's stores as the dedup arms set them up are counted where the
 * harness counts store calls (a batch of 500 claims is one or two round trips, an unbatched one 500), and leave
 * nothing behind.
 */
class DedupStoreSetupTest extends LocalBenchServices {
    private static ArmRun run() {
        return newRun(500);
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

    /**
     * Creates a store as an arm would, counts {@link #countedClaimAll} through {@code view} of it, then closes and
     * cleans it up as the arm's tear-down does.
     */
    private static long countedOnFreshStore(
            DedupStoreSetup setup, ArmRun run, UnaryOperator<DedupStore> view, int count) throws Exception {
        DedupStore store = setup.create(run);
        try {
            return countedClaimAll(setup, run, view.apply(store), count);
        } finally {
            store.close();
            setup.cleanUp(run, store);
        }
    }

    @Test
    void a_batch_of_500_redis_claims_is_one_counted_command_and_its_keys_are_deleted_afterwards() throws Exception {
        DedupStoreSetup redis = DedupStoreSetup.redis();
        ArmRun run = run();
        assertThat(countedOnFreshStore(redis, run, store -> store, 500)).isEqualTo(1);
        assertThat(services.deleteRedisKeys("bench:" + run.runId() + ":")).isZero();
        // closing the store left the shared, counted client usable
        assertThat(countedOnFreshStore(redis, run, store -> store, 1)).isEqualTo(1);
    }

    @Test
    void an_unbatched_redis_store_makes_one_counted_command_per_claim() throws Exception {
        assertThat(countedOnFreshStore(DedupStoreSetup.redis(), run(), UnbatchedStore::new, 50))
                .isEqualTo(50);
    }

    @Test
    void a_batch_of_500_postgres_claims_is_a_few_counted_round_trips_and_its_tables_are_dropped_afterwards()
            throws Exception {
        ArmRun run = run();
        assertThat(countedOnFreshStore(DedupStoreSetup.jdbc(), run, store -> store, 500))
                .isBetween(1L, 3L);
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
