package io.dedup.bench.e2e;

import io.dedup.jdbc.JdbcDedupStore;
import io.dedup.memory.InMemoryDedupStore;
import io.dedup.redis.RedisDedupStore;
import io.dedup.spi.DedupStore;

/**
 * How a {@link DedupArm} gets this library's store for one run, and removes what the store kept after it. Each
 * run gets a store of its own (its own key prefix or table), so it starts empty and collides with no one.
 */
interface DedupStoreSetup {
    /** The store the keys are kept in. */
    StoreKind store();

    /** A new, empty store for {@code run}, its schema created. */
    DedupStore create(ArmRun run);

    /** Deletes what {@link #create} and the run stored; called even if create failed (then {@code store} is null). */
    void cleanUp(ArmRun run, DedupStore store) throws Exception;

    /** {@link InMemoryDedupStore} with its defaults. */
    static DedupStoreSetup memory() {
        return new DedupStoreSetup() {
            @Override
            public StoreKind store() {
                return StoreKind.MEMORY;
            }

            @Override
            public DedupStore create(ArmRun run) {
                return InMemoryDedupStore.create();
            }

            @Override
            public void cleanUp(ArmRun run, DedupStore store) {
                // garbage
            }
        };
    }

    /**
     * {@link RedisDedupStore} on the benchmark's counted Lettuce client (closing the store leaves the client
     * open), keys under {@code bench:<run id>:}.
     */
    static DedupStoreSetup redis() {
        return new DedupStoreSetup() {
            @Override
            public StoreKind store() {
                return StoreKind.REDIS;
            }

            @Override
            public DedupStore create(ArmRun run) {
                return RedisDedupStore.builder(run.services().redisClient())
                        .keyPrefix(prefix(run))
                        .build();
            }

            @Override
            public void cleanUp(ArmRun run, DedupStore store) {
                run.services().deleteRedisKeys(prefix(run));
            }

            private String prefix(ArmRun run) {
                return "bench:" + run.runId() + ":";
            }
        };
    }

    /**
     * {@link JdbcDedupStore} on PostgreSQL over the benchmark's counted pool, on tables of its own ({@code
     * dedup_<run id>} and its positions table) created by the store.
     */
    static DedupStoreSetup jdbc() {
        return new DedupStoreSetup() {
            @Override
            public StoreKind store() {
                return StoreKind.POSTGRES;
            }

            @Override
            public DedupStore create(ArmRun run) {
                return JdbcDedupStore.builder(run.services().storeDataSource())
                        .table(table(run))
                        .createSchema(true)
                        .build();
            }

            @Override
            public void cleanUp(ArmRun run, DedupStore store) throws Exception {
                // the names the store derives, whether or not it was built
                run.services().dropTable(table(run) + "_positions");
                run.services().dropTable(table(run));
            }

            private String table(ArmRun run) {
                return "dedup_" + run.runId();
            }
        };
    }
}
