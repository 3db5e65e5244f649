package io.dedup.jdbc;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The SQL dialects the JDBC store speaks. Chosen from the connection's metadata unless set explicitly with {@link
 * JdbcDedupStore.Builder#dialect(JdbcDialect)}. An enum: immutable and thread-safe.
 */
public enum JdbcDialect {
    /** PostgreSQL 12 or newer. */
    POSTGRESQL,
    /**
     * MariaDB 10.5 or newer (tested), and MySQL 8 with InnoDB: the statements use only what both share ({@code INSERT
     * ... ON DUPLICATE KEY UPDATE}, no {@code RETURNING}).
     */
    MARIADB;

    /**
     * The dialect for a database product name as reported by {@link java.sql.DatabaseMetaData#getDatabaseProductName()}.
     *
     * @throws IllegalArgumentException if the product is not supported
     */
    public static JdbcDialect fromProductName(String productName) {
        Objects.requireNonNull(productName, "productName");
        String name = productName.toLowerCase(Locale.ROOT);
        if (name.contains("postgresql")) {
            return POSTGRESQL;
        }
        if (name.contains("mariadb") || name.contains("mysql")) {
            return MARIADB;
        }
        throw new IllegalArgumentException("the JDBC store supports PostgreSQL, MariaDB and MySQL, not " + productName);
    }

    /** The dialect a JDBC URL names ({@code jdbc:postgresql:}, {@code jdbc:mariadb:}, {@code jdbc:mysql:}), if any. */
    public static Optional<JdbcDialect> fromJdbcUrl(String url) {
        Objects.requireNonNull(url, "url");
        String lower = url.toLowerCase(Locale.ROOT);
        if (lower.startsWith("jdbc:postgresql:")) {
            return Optional.of(POSTGRESQL);
        }
        if (lower.startsWith("jdbc:mariadb:") || lower.startsWith("jdbc:mysql:")) {
            return Optional.of(MARIADB);
        }
        return Optional.empty();
    }
}
