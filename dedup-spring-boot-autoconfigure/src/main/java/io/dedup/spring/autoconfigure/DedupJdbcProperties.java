package io.dedup.spring.autoconfigure;

import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code dedup.jdbc.*}: the JDBC store on the application's DataSource, and whether keys are claimed inside the
 * listener's own transaction. Transactional claims are off by default because they hold a database connection for
 * the whole listener call; they are worth it only when the listener writes to the same database, where they make
 * the key and those writes one atomic commit.
 *
 * <p>Immutable and thread-safe; bound by Spring through its constructor.
 *
 * @param table Table of the processed keys
 * @param createSchema Create the table (and its positions table) when missing
 * @param transactional Claim and complete keys inside the listener's Spring-managed transaction on the application's
 *     DataSource, so that the key and the listener's own writes commit or roll back together
 */
public record DedupJdbcProperties(
        @DefaultValue("dedup_keys") String table, @DefaultValue("true") boolean createSchema, boolean transactional) {}
