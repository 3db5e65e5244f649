package io.dedup.jdbc;

import io.dedup.DedupStoreUnavailableException;
import java.sql.SQLException;
import java.util.Set;

/** How SQL errors become store exceptions. Messages carry SQL states and driver messages, never credentials. */
final class SqlFailures {
    /** Serialization failure (40001) and PostgreSQL's deadlock (40P01): the statement was rolled back whole. */
    private static final Set<String> ROLLED_BACK = Set.of("40001", "40P01");
    /** PostgreSQL lock_not_available and query_canceled (the query timeout); MariaDB/MySQL 1205 and 1969/3024. */
    private static final Set<String> TIMED_OUT_STATES = Set.of("55P03", "57014", "70100");

    /** MariaDB/MySQL vendor codes: lock wait timeout (1205), statement timeouts (1969 MariaDB, 3024 MySQL). */
    private static final Set<Integer> TIMED_OUT_CODES = Set.of(1205, 1969, 3024);
    /** Undefined table: PostgreSQL 42P01, MariaDB/MySQL 42S02. */
    private static final Set<String> NO_TABLE = Set.of("42P01", "42S02");

    private SqlFailures() {}

    /** Whether an autocommit statement may simply run again: the database rolled it back to break a deadlock. */
    static boolean retryable(SQLException e) {
        // 1213 is MariaDB/MySQL's deadlock code, checked by code so as not to depend on the SQLState a driver gives.
        return e.getSQLState() != null && ROLLED_BACK.contains(e.getSQLState()) || e.getErrorCode() == 1213;
    }

    /**
     * {@code e} as the store's exception: what could not be done, a hint for the two causes users can fix (a lock
     * timeout, a missing table), then the SQLState and the driver's message. The driver's exception is the cause.
     */
    static DedupStoreUnavailableException unavailable(String store, String operation, SQLException e) {
        StringBuilder message =
                new StringBuilder(store).append(" could not ").append(operation).append(": ");
        if (timedOut(e)) {
            message.append("timed out (a lock wait or the statement ran past the store's lock timeout); ");
        } else if (e.getSQLState() != null && NO_TABLE.contains(e.getSQLState())) {
            message.append("its table is missing (create it with createSchema(true) or the DDL of "
                    + "JdbcDedupStore.schema); ");
        }
        message.append("SQLState ").append(e.getSQLState()).append(", ").append(e.getMessage());
        return new DedupStoreUnavailableException(message.toString(), e);
    }

    /** Whether the statement gave up waiting: a lock wait timeout or the JDBC query timeout. */
    static boolean timedOut(SQLException e) {
        return (e.getSQLState() != null && TIMED_OUT_STATES.contains(e.getSQLState()))
                || TIMED_OUT_CODES.contains(e.getErrorCode())
                || e instanceof java.sql.SQLTimeoutException;
    }
}
