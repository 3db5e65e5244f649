package io.dedup.jdbc;

import java.sql.Connection;

/**
 * How {@link TransactionalDedup} runs inside transactions the application manages, instead of its own: the
 * runner begins a transaction, hands its connection to the work, commits when the work returns normally and rolls
 * back when it throws. With Spring (no dependency on it here):
 *
 * <pre>{@code
 * TransactionRunner spring = work -> {
 *     try {
 *         transactionTemplate.executeWithoutResult(status -> {
 *             try {
 *                 work.run(DataSourceUtils.getConnection(dataSource));
 *             } catch (RuntimeException e) {
 *                 throw e;
 *             } catch (Exception e) {
 *                 throw new java.lang.reflect.UndeclaredThrowableException(e);
 *             }
 *         });
 *     } catch (java.lang.reflect.UndeclaredThrowableException e) {
 *         throw (Exception) e.getUndeclaredThrowable();
 *     }
 * };
 * }</pre>
 *
 * <p>The connection must be the one the transaction runs on (Spring's {@code DataSourceUtils.getConnection} inside
 * the template gives it), with autocommit off; READ COMMITTED isolation is expected. Implementations must be
 * thread-safe; each call runs one transaction on the calling thread.
 */
@FunctionalInterface
public interface TransactionRunner {
    /**
     * Runs {@code work} in one new transaction: commits if it returns normally, rolls back and rethrows (or wraps)
     * if it throws.
     *
     * @throws Exception what the work threw, or the transaction manager's failure to begin or commit
     */
    void inTransaction(Work work) throws Exception;

    /** Work to do on the connection of a transaction. */
    @FunctionalInterface
    interface Work {
        void run(Connection connection) throws Exception;
    }
}
