package io.dedup.bench.e2e;

import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A DataSource that counts the round trips its connections make: every statement execution ({@code execute*},
 * a batch counting once) and every {@code commit} and {@code rollback}. This is how PostgreSQL store calls are
 * counted, because {@code pg_stat_statements} needs a server restart to load and would also count the handler's
 * and other clients' statements. Thread-safe.
 */
public final class CountingDataSource implements DataSource {
    /** The pool the connections come from. */
    private final DataSource delegate;
    /** Statements, commits and rollbacks so far, on every connection handed out. */
    private final AtomicLong roundTrips = new AtomicLong();

    /** Counts for connections from {@code delegate}. */
    public CountingDataSource(DataSource delegate) {
        this.delegate = java.util.Objects.requireNonNull(delegate, "delegate");
    }

    /** Statements executed plus commits and rollbacks so far. */
    public long roundTrips() {
        return roundTrips.get();
    }

    /** A connection from the delegate whose statements, commits and rollbacks are counted. */
    @Override
    public Connection getConnection() throws SQLException {
        return counting(delegate.getConnection());
    }

    /** As {@link #getConnection()}, with credentials. */
    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return counting(delegate.getConnection(username, password));
    }

    /**
     * A proxy of {@code connection}: commits and rollbacks count (each is a round trip), and every statement it creates
     * is itself wrapped. A proxy rather than a hand-written wrapper, because {@link Connection} has some fifty methods
     * and only three matter here.
     */
    private Connection counting(Connection connection) {
        InvocationHandler handler = (proxy, method, args) -> {
            String name = method.getName();
            Object result = invoke(connection, method, args);
            // a commit or rollback is a round trip of its own; statements are counted by their own proxies
            if (name.equals("commit") || name.equals("rollback")) {
                roundTrips.incrementAndGet();
            } else if (result instanceof Statement statement
                    && (name.equals("createStatement") || name.startsWith("prepare"))) {
                return counting(statement);
            }
            return result;
        };
        return (Connection)
                Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class}, handler);
    }

    /**
     * A proxy of {@code statement}, of its most specific JDBC interface (so casts to {@link PreparedStatement} work),
     * counting each {@code execute*} call once; a batch executes in one call and so counts once.
     */
    private Statement counting(Statement statement) {
        Class<?> type = statement instanceof CallableStatement
                ? CallableStatement.class
                : statement instanceof PreparedStatement ? PreparedStatement.class : Statement.class;
        InvocationHandler handler = (proxy, method, args) -> {
            if (method.getName().startsWith("execute")) {
                roundTrips.incrementAndGet();
            }
            return invoke(statement, method, args);
        };
        return (Statement) Proxy.newProxyInstance(Statement.class.getClassLoader(), new Class<?>[] {type}, handler);
    }

    /**
     * Calls {@code method} on {@code target}, rethrowing what it threw unwrapped, so callers see the driver's exception.
     */
    private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return delegate.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        delegate.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        delegate.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return delegate.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return delegate.getParentLogger();
    }

    /** This data source for its own type, otherwise the delegate's answer: a pool behind it can still be reached. */
    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        return type.isInstance(this) ? type.cast(this) : delegate.unwrap(type);
    }

    @Override
    public boolean isWrapperFor(Class<?> type) throws SQLException {
        return type.isInstance(this) || delegate.isWrapperFor(type);
    }
}
