package io.dedup.bench.e2e;

import java.util.Locale;

/**
 * The store behind an arm's dedup layer, which says where its store calls are counted: Redis by the commands the
 * benchmark's Lettuce clients complete ({@link RedisCommandCounter}), PostgreSQL by statements and commits at the
 * JDBC level ({@link CountingDataSource}), an in-memory store by calls into the store object, no store not at all.
 */
public enum StoreKind {
    NONE,
    MEMORY,
    REDIS,
    POSTGRES;

    /** The name in the results: {@code none}, {@code memory}, {@code redis}, {@code postgres}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
