package io.dedup.bench.e2e;

import org.apache.camel.spi.IdempotentRepository;

/**
 * How a Camel arm gets its idempotent repository for one run, and removes what the repository stored after it.
 */
interface CamelRepository {
    /** The store the repository keeps its keys in. */
    StoreKind store();

    /** A new, empty repository for {@code run} (its own table or key prefix). */
    IdempotentRepository create(ArmRun run) throws Exception;

    /** Deletes what {@link #create} and the run stored; called even if create failed. */
    void cleanUp(ArmRun run) throws Exception;
}
