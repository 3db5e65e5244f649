package io.dedup.bench.e2e;

import java.util.Locale;

/**
 * The store behind an arm's dedup layer, which says where its store calls are counted: Redis by the commands the
 * benchmark's Lettuce clients complete ({@link RedisCommandCounter}), PostgreSQL by statements and commits at the
 * JDBC level ({@link CountingDataSource}), an in-memory store by calls into the store object, no store not at all.
 *
 * <p>Immutable and thread-safe (an enum).
 */
public enum StoreKind {
    /** No dedup layer: the baselines. Zero store calls. */
    NONE,
    /** An in-memory store or repository; calls counted by the arm's timing wrapper, there being no wire. */
    MEMORY,
    /** Redis; calls counted as commands on the benchmark's Lettuce client resources. */
    REDIS,
    /** PostgreSQL; calls counted as statements, commits and rollbacks on the counted pool. */
    POSTGRES;

    /** The name in the results: {@code none}, {@code memory}, {@code redis}, {@code postgres}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
