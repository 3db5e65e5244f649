package io.dedup.bench.e2e;

import org.apache.camel.spi.IdempotentRepository;

/**
 * How a Camel arm gets its idempotent repository for one run, and removes what the repository stored after it.
 * Implementations are used by one arm, one run at a time.
 */
interface CamelRepository {
    /** The store the repository keeps its keys in. */
    StoreKind store();

    /** A new, empty repository for {@code run} (its own table or key prefix). */
    IdempotentRepository create(ArmRun run) throws Exception;

    /** Deletes what {@link #create} and the run stored; called even if create failed. */
    void cleanUp(ArmRun run) throws Exception;

    /** What {@link #create} does for one kind of repository. */
    @FunctionalInterface
    interface Create {
        /** A new repository for {@code run}. */
        IdempotentRepository apply(ArmRun run) throws Exception;
    }

    /** What {@link #cleanUp} does for one kind of repository. */
    @FunctionalInterface
    interface CleanUp {
        /** Deletes what {@code run} stored. */
        void apply(ArmRun run) throws Exception;
    }

    /** A repository of {@code kind} made by {@code create} and removed by {@code cleanUp}. */
    static CamelRepository of(StoreKind kind, Create create, CleanUp cleanUp) {
        return new CamelRepository() {
            @Override
            public StoreKind store() {
                return kind;
            }

            @Override
            public IdempotentRepository create(ArmRun run) throws Exception {
                return create.apply(run);
            }

            @Override
            public void cleanUp(ArmRun run) throws Exception {
                cleanUp.apply(run);
            }
        };
    }
}
