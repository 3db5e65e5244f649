package io.dedup.jdbc;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.util.Set;

/**
 * The connection a handler writes through: the transaction's own, except that it refuses to commit, roll back,
 * close or switch to autocommit, which would break the one-transaction guarantee. Savepoints stay allowed.
 */
final class GuardedConnection implements InvocationHandler {
    private static final Set<String> REFUSED = Set.of("commit", "close", "abort", "setAutoCommit");

    private final Connection connection;

    private GuardedConnection(Connection connection) {
        this.connection = connection;
    }

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
            throw e.getCause();
        }
    }
}
