package io.dedup.jdbc;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Rolling back and closing while a failure is already on its way: a second failure must not replace the first, which
 * says what went wrong, so it is attached to it as suppressed. Stateless.
 */
final class ConnectionCleanup {
    private ConnectionCleanup() {}

    /** Rolls {@code connection} back; a failure to do so is added to {@code cause} (if any), never thrown. */
    static void rollbackQuietly(Connection connection, Throwable cause) {
        try {
            connection.rollback();
        } catch (SQLException | RuntimeException e) {
            if (cause != null) {
                cause.addSuppressed(e);
            }
        }
    }

    /** Closes {@code connection}; a failure to do so is added to {@code cause} (if any), never thrown. */
    static void closeQuietly(Connection connection, Throwable cause) {
        try {
            connection.close();
        } catch (SQLException | RuntimeException e) {
            if (cause != null) {
                cause.addSuppressed(e);
            }
        }
    }
}
