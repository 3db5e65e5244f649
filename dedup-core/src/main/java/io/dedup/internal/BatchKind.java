package io.dedup.internal;

/**
 * How the work of a {@link DedupBatch} becomes durable, which decides what completing and closing the batch mean:
 * whether finished work is kept or released, and who writes the completions.
 */
enum BatchKind {
    /** Completions are written as the caller asks, and by close: finished work is kept. */
    LEASED,
    /** The work commits in the caller's transaction; completions are written only after it committed. */
    FOR_COMMIT,
    /** Claims, completions and the work share one store transaction. */
    STORE_TRANSACTION
}
