package io.dedup.jdbc;

import java.sql.SQLException;

/**
 * Rolling back and closing while a failure is already on its way: a second failure must not replace the first, which
 * says what went wrong, so it is attached to it as suppressed. Stateless.
 */
final class ConnectionCleanup {
    private ConnectionCleanup() {}

    /** A JDBC call made for its effect. */
    @FunctionalInterface
    interface SqlAction {
        void run() throws SQLException;
    }

    /**
     * Runs {@code action} (a rollback or a close); a failure of it is added to {@code cause} (if any), never thrown.
     */
    static void quietly(SqlAction action, Throwable cause) {
        try {
            action.run();
        } catch (SQLException | RuntimeException e) {
            if (cause != null) {
                cause.addSuppressed(e);
            }
        }
    }
}
