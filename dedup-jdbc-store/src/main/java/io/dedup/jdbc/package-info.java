/**
 * The JDBC processed-keys store: {@link io.dedup.jdbc.JdbcDedupStore} over an application's {@link
 * javax.sql.DataSource}, for PostgreSQL and MariaDB/MySQL, with batched claims, purge of expired rows ({@link
 * io.dedup.jdbc.ScheduledPurger}) and the transactional exactly-once mode ({@link io.dedup.jdbc.TransactionalDedup},
 * {@link io.dedup.jdbc.TransactionRunner}). Found by {@link java.util.ServiceLoader} as the store named {@code jdbc}
 * ({@link io.dedup.jdbc.JdbcDedupStoreProvider}).
 *
 * <p>All parameters and return values are non-null unless documented otherwise.
 */
package io.dedup.jdbc;
