package io.dedup.bench.e2e;

import io.dedup.jdbc.JdbcDedupStore;
import io.dedup.memory.InMemoryDedupStore;
import io.dedup.redis.RedisDedupStore;
import io.dedup.spi.DedupStore;
import java.util.function.Function;

/**
 * How a {@link DedupArm} gets this library's store for one run, and removes what the store kept after it. Each
 * run gets a store of its own (its own key prefix or table), so it starts empty and collides with no one.
 *
 * <p>Every store is built on the run's counted clients ({@link BenchServices#redisClient()}, {@link
 * BenchServices#storeDataSource()}), so its round trips are counted where Camel's are. Implementations hold no
 * state between runs and are used on one thread.
 */
interface DedupStoreSetup {
    /** The store the keys are kept in. */
    StoreKind store();

    /** A new, empty store for {@code run}, its schema created. */
    DedupStore create(ArmRun run);

    /** Deletes what {@link #create} and the run stored; called even if create failed (then {@code store} is null). */
    void cleanUp(ArmRun run, DedupStore store) throws Exception;

    /** What {@link #cleanUp} does for one kind of store. */
    @FunctionalInterface
    interface CleanUp {
        /** Deletes what the run kept; {@code store} is null if it was never created. */
        void run(ArmRun run, DedupStore store) throws Exception;
    }

    /** A set-up of {@code kind} that creates its store with {@code create} and cleans up with {@code cleanUp}. */
    static DedupStoreSetup of(StoreKind kind, Function<ArmRun, DedupStore> create, CleanUp cleanUp) {
        return new DedupStoreSetup() {
            @Override
            public StoreKind store() {
                return kind;
            }

            @Override
            public DedupStore create(ArmRun run) {
                return create.apply(run);
            }

            @Override
            public void cleanUp(ArmRun run, DedupStore store) throws Exception {
                cleanUp.run(run, store);
            }
        };
    }

    /** {@link InMemoryDedupStore} with its defaults; nothing to clean up beyond garbage. */
    static DedupStoreSetup memory() {
        return of(StoreKind.MEMORY, run -> InMemoryDedupStore.create(), (run, store) -> {});
    }

    /**
     * {@link RedisDedupStore} on the benchmark's counted Lettuce client (closing the store leaves the client
     * open), keys under {@code bench:<run id>:}.
     */
    static DedupStoreSetup redis() {
        return of(
                StoreKind.REDIS,
                run -> RedisDedupStore.builder(run.services().redisClient())
                        .keyPrefix(redisPrefix(run))
                        .build(),
                (run, store) -> run.services().deleteRedisKeys(redisPrefix(run)));
    }

    /** The key prefix of a run's Redis store. */
    private static String redisPrefix(ArmRun run) {
        return "bench:" + run.runId() + ":";
    }

    /**
     * {@link JdbcDedupStore} on PostgreSQL over the benchmark's counted pool, on tables of its own ({@code
     * dedup_<run id>} and its positions table) created by the store.
     */
    static DedupStoreSetup jdbc() {
        return of(
                StoreKind.POSTGRES,
                run -> JdbcDedupStore.builder(run.services().storeDataSource())
                        .table(jdbcTable(run))
                        .createSchema(true)
                        .build(),
                (run, store) -> {
                    // the names the store derives, whether or not it was built
                    run.services().dropTable(jdbcTable(run) + "_positions");
                    run.services().dropTable(jdbcTable(run));
                });
    }

    /** The key table of a run's JDBC store. */
    private static String jdbcTable(ArmRun run) {
        return "dedup_" + run.runId();
    }
}
