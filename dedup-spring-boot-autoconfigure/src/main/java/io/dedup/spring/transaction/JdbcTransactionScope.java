package io.dedup.spring.transaction;

import io.dedup.ClaimedBatch;
import io.dedup.DedupConsumer;
import io.dedup.DedupResult;
import io.dedup.jdbc.JdbcDedupStore;
import io.dedup.spi.StoreTransaction;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * JDBC transactional mode: the claims, the listener's own writes (its {@code @Transactional} methods join) and the
 * completions commit in one Spring-managed transaction on the application's {@code DataSource}. A failed listener
 * rolls everything back, its key included; a crash before the commit leaves no trace, and the redelivery runs it
 * once more. The transaction joins one that is already active on the thread (a listener container's own transaction
 * manager), as {@code PROPAGATION_REQUIRED} does.
 *
 * <p>Thread-safe.
 */
public final class JdbcTransactionScope implements ClaimScope {
    private final TransactionTemplate transactions;
    private final DataSource dataSource;
    private final JdbcDedupStore store;

    /** @param transactionManager the transaction manager of {@code dataSource}, which the listener's transactions use */
    public JdbcTransactionScope(
            PlatformTransactionManager transactionManager, DataSource dataSource, JdbcDedupStore store) {
        this.transactions = new TransactionTemplate(Objects.requireNonNull(transactionManager, "transactionManager"));
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.store = Objects.requireNonNull(store, "store");
    }

    /**
     * Claims, runs and completes in one transaction of the DataSource's transaction manager.
     *
     * @throws IllegalStateException if the claims cannot be committed with the listener's transaction
     * @throws RuntimeException what the work (the listener) threw, after the transaction rolled back
     */
    @Override
    public <M, T> Settled<T> claim(DedupConsumer<M> dedup, List<M> messages, Work<M, T> work) {
        return transactions.execute(status -> {
            // The connection bound to this transaction, the one the listener's JdbcTemplate and @Transactional
            // methods get: that is what makes the key and the listener's writes one commit.
            StoreTransaction transaction = store.begin(DataSourceUtils.getConnection(dataSource));
            ClaimedBatch<M> batch = dedup.claimAll(messages, transaction);
            T value;
            try (batch) {
                value = work.run(batch);
                // A failed listener must leave no write behind, its key's release included: the rollback itself
                // frees the key, since the claim was never committed.
                if (anyFailed(batch)) {
                    status.setRollbackOnly();
                } else {
                    // Nothing to commit here: the transaction manager commits when this callback returns.
                    batch.commit(() -> {});
                }
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException("could not commit the dedup claims in the listener's transaction", e);
            }
            return new Settled<>(value, batch.results());
        });
    }

    /** True: the listener's writes and the keys are one transaction, so one failure undoes a whole batch. */
    @Override
    public boolean sharesTransaction() {
        return true;
    }

    private static boolean anyFailed(ClaimedBatch<?> batch) {
        for (ClaimedBatch.Entry<?> entry : batch.entries()) {
            if (entry.result() instanceof DedupResult.Failed<?>) {
                return true;
            }
        }
        return false;
    }
}
