package io.dedup.spring.transaction;

import io.dedup.jdbc.JdbcDedupStore;
import io.dedup.spi.DedupStore;
import java.util.List;
import javax.sql.DataSource;
import org.springframework.context.ApplicationContext;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.ResourceTransactionManager;
import org.springframework.util.ClassUtils;

/**
 * Builds the {@link ClaimScope} of JDBC transactional mode ({@code dedup.jdbc.transactional=true}) from the
 * application's beans: its one {@code DataSource}, and the transaction manager of that {@code DataSource}. An
 * application may have several transaction managers, for example Kafka's {@code KafkaTransactionManager} on its
 * listener containers next to the {@code DataSourceTransactionManager} of its {@code @Transactional} methods: the one
 * whose resource is the {@code DataSource} is chosen, so the claims join the listener's database transaction, which
 * commits before the container's Kafka transaction sends the offsets. Loaded only when transactional mode is on.
 *
 * <p>Stateless and thread-safe; called once per listener container.
 */
public final class TransactionalClaims {
    private TransactionalClaims() {}

    /**
     * @throws IllegalStateException if the store is not the JDBC store, or the DataSource or its transaction manager
     *     cannot be told apart, with what was found
     */
    public static ClaimScope jdbc(ApplicationContext context, DedupStore store) {
        if (!ClassUtils.isPresent("io.dedup.jdbc.JdbcDedupStore", TransactionalClaims.class.getClassLoader())
                || !(store instanceof JdbcDedupStore jdbc)) {
            throw new IllegalStateException("dedup.jdbc.transactional=true needs the JDBC store "
                    + "(io.dedup:dedup-jdbc-store and a DataSource), but the store is " + store.describe());
        }
        DataSource dataSource = context.getBeanProvider(DataSource.class).getIfUnique();
        if (dataSource == null) {
            throw new IllegalStateException(
                    "dedup.jdbc.transactional=true needs one DataSource bean (or a primary one)");
        }
        return new JdbcTransactionScope(transactionManagerOf(context, dataSource), dataSource, jdbc);
    }

    private static PlatformTransactionManager transactionManagerOf(ApplicationContext context, DataSource dataSource) {
        List<PlatformTransactionManager> all = context.getBeanProvider(PlatformTransactionManager.class)
                .orderedStream()
                .toList();
        List<PlatformTransactionManager> ofDataSource = all.stream()
                .filter(m -> m instanceof ResourceTransactionManager r && r.getResourceFactory() == dataSource)
                .toList();
        if (ofDataSource.size() == 1) {
            return ofDataSource.get(0);
        }
        PlatformTransactionManager unique =
                context.getBeanProvider(PlatformTransactionManager.class).getIfUnique();
        if (unique != null) {
            return unique;
        }
        throw new IllegalStateException("dedup.jdbc.transactional=true needs the transaction manager of the "
                + "DataSource; found " + all.size() + " transaction managers, " + ofDataSource.size()
                + " of them on the DataSource: "
                + all.stream().map(m -> m.getClass().getSimpleName()).toList()
                + ". Mark the DataSource's one @Primary");
    }
}
