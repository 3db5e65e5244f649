package io.dedup.jdbc;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.util.Set;

/**
 * The connection a handler writes through: the transaction's own, except that it refuses to commit, roll back,
 * close or switch to autocommit, which would break the one-transaction guarantee. Savepoints stay allowed, and so
 * does rolling back to one of the handler's own savepoints. Thread-safe as far as the underlying connection is;
 * a handler uses it on its own thread.
 */
final class GuardedConnection implements InvocationHandler {
    /**
     * Calls that would end the transaction or hand the connection back early; {@code rollback()} without a
     * savepoint is refused in {@link #invoke}, {@code rollback(Savepoint)} is allowed.
     */
    private static final Set<String> REFUSED = Set.of("commit", "close", "abort", "setAutoCommit");

    private final Connection connection;

    private GuardedConnection(Connection connection) {
        this.connection = connection;
    }

    /** A {@link Connection} proxy over {@code connection}. */
    static Connection of(Connection connection) {
        return (Connection) Proxy.newProxyInstance(
                GuardedConnection.class.getClassLoader(),
                new Class<?>[] {Connection.class},
                new GuardedConnection(connection));
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        String name = method.getName();
        if (REFUSED.contains(name) || (name.equals("rollback") && method.getParameterCount() == 0)) {
            throw new IllegalStateException("this connection belongs to a dedup transaction, which commits or rolls "
                    + "back the handler's writes together with the key; the handler must not call " + name);
        }
        // Object's methods are answered by the proxy itself, so that the guard is not mistaken for the connection.
        if (name.equals("toString") && method.getParameterCount() == 0) {
            return "dedup transaction connection (" + connection + ")";
        }
        if (name.equals("equals") && method.getParameterCount() == 1) {
            return proxy == args[0];
        }
        if (name.equals("hashCode") && method.getParameterCount() == 0) {
            return System.identityHashCode(proxy);
        }
        try {
            return method.invoke(connection, args);
        } catch (InvocationTargetException e) {
            // The connection's own SQLException, not the reflection wrapper, is what the handler expects.
            throw e.getCause();
        }
    }
}
