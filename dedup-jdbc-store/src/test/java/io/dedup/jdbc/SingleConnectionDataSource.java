package io.dedup.jdbc;

import io.dedup.testkit.ServiceEndpoint;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;

/**
 * One real connection handed out again and again (close does nothing), so a test can kill it on the server. The store
 * under test gets {@link #dataSource()}; the test keeps this to kill, reconnect and close the connection.
 */
final class SingleConnectionDataSource implements AutoCloseable {
    private final ServiceEndpoint endpoint;
    private volatile Connection connection;

    SingleConnectionDataSource(ServiceEndpoint endpoint) throws SQLException {
        this.endpoint = endpoint;
        reconnect();
    }

    void reconnect() throws SQLException {
        if (connection != null) {
            connection.close();
        }
        connection = DriverManager.getConnection(endpoint.jdbcUrl(), endpoint.user(), endpoint.password());
    }

    /** The server's id of the connection: the backend pid (PostgreSQL) or connection id (MariaDB). */
    long serverId() throws SQLException {
        String sql = endpoint.service().equals("postgres") ? "SELECT pg_backend_pid()" : "SELECT CONNECTION_ID()";
        try (Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The current connection, as a proxy whose close does nothing. */
    Connection getConnection() {
        Connection target = connection;
        return (Connection) Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                    if (method.getName().equals("close")) {
                        return null;
                    }
                    try {
                        return method.invoke(target, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /**
     * A data source whose {@code getConnection} (with or without credentials) is {@link #getConnection()}; it answers
     * nothing else (a store that asked more of it would fail here rather than read a made-up value).
     */
    DataSource dataSource() {
        return (DataSource) Proxy.newProxyInstance(
                getClass().getClassLoader(),
                new Class<?>[] {DataSource.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getConnection" -> getConnection();
                    case "toString" -> "one connection to " + endpoint;
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> throw new UnsupportedOperationException(
                            "not supported by the test's single-connection data source: " + method);
                });
    }

    @Override
    public void close() throws SQLException {
        connection.close();
    }
}
