package io.dedup.bench.e2e;

import java.util.Locale;

/**
 * The store behind an arm's dedup layer, which says where its store calls are counted: Redis by the server's
 * {@code INFO commandstats}, PostgreSQL by statements and commits at the JDBC level, an in-memory store by calls
 * into the store object, no store not at all.
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
