package io.dedup.jdbc;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * Keeps PostgreSQL from reusing a generic plan for the store's statements: each execution is planned with its
 * parameters and the table's current size.
 *
 * <p>Why: pgjdbc turns a statement a connection has run five times into a named server-side statement, and the
 * server then caches a generic plan for it. Planned while the table is new and nearly empty, that plan is a
 * sequential scan; it stays cached on the pooled connection as the table grows, until statistics are refreshed
 * (autovacuum's ANALYZE, a minute or more later). Every claim and completion batch then reads the whole table —
 * measured at 46 ms per completion batch at 10,000 rows, quadratic in the run's length — on every first deployment.
 * A custom plan costs well under a millisecond of planning per statement, and every statement here is one batch.
 *
 * <p>How: pgjdbc's {@code PGStatement.setPrepareThreshold(0)} keeps the statement unnamed, and PostgreSQL plans an
 * unnamed statement with the values bound to it. Looked up by reflection, so that the store needs no compile-time
 * dependency on the driver; with another driver, or a pool whose statements do not unwrap to pgjdbc's, nothing
 * changes. Thread-safe (immutable after class initialisation).
 */
final class GenericPlans {
    private static final String PG_STATEMENT = "org.postgresql.PGStatement";
    /** The driver's statement interface and its setter, or null when pgjdbc is not visible to this class. */
    private static final Class<?> STATEMENT_TYPE;

    private static final MethodHandle SET_PREPARE_THRESHOLD;

    static {
        Class<?> type = null;
        MethodHandle setter = null;
        try {
            type = Class.forName(PG_STATEMENT, false, GenericPlans.class.getClassLoader());
            setter = MethodHandles.publicLookup()
                    .findVirtual(type, "setPrepareThreshold", MethodType.methodType(void.class, int.class));
        } catch (ReflectiveOperationException | LinkageError e) {
            type = null; // another driver: its own plan caching applies
        }
        STATEMENT_TYPE = type;
        SET_PREPARE_THRESHOLD = setter;
    }

    private GenericPlans() {}

    /** Asks the driver to plan every execution of {@code statement} afresh, where the driver is pgjdbc. */
    static void avoid(PreparedStatement statement) throws SQLException {
        if (STATEMENT_TYPE == null || !statement.isWrapperFor(STATEMENT_TYPE)) {
            return;
        }
        Object pg = statement.unwrap(STATEMENT_TYPE);
        try {
            SET_PREPARE_THRESHOLD.invoke(pg, 0);
        } catch (SQLException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) { // the method declares SQLException only
            throw new SQLException("could not set the prepare threshold of a PostgreSQL statement", e);
        }
    }
}
