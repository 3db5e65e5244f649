package io.dedup.jdbc;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Properties;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * The fallback when HikariCP is not on the classpath: a new connection per request. Correct but slow; add a pool
 * for production. Never shows its password. Thread-safe: {@link DriverManager} is, and the properties are not
 * changed after construction.
 */
final class DriverManagerDataSource implements DataSource {
    private final String url;
    private final Properties properties;
    private volatile int loginTimeout;

    DriverManagerDataSource(String url, String user, String password) {
        this.url = url;
        this.properties = new Properties();
        if (user != null) {
            properties.setProperty("user", user);
        }
        if (password != null) {
            properties.setProperty("password", password);
        }
    }

    /** A new connection; the caller closes it, which really closes it. */
    @Override
    public Connection getConnection() throws SQLException {
        return DriverManager.getConnection(url, properties);
    }

    /** A new connection as another user; the configured credentials are not used. */
    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        Properties explicit = new Properties();
        explicit.setProperty("user", username);
        explicit.setProperty("password", password);
        return DriverManager.getConnection(url, explicit);
    }

    // DriverManager logs through its own log writer; this data source has none of its own.
    @Override
    public PrintWriter getLogWriter() {
        return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {}

    /** Kept for callers that read it back; connections use {@link DriverManager#getLoginTimeout()}. */
    @Override
    public void setLoginTimeout(int seconds) {
        this.loginTimeout = seconds;
    }

    @Override
    public int getLoginTimeout() {
        return loginTimeout;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException("no parent logger");
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        if (type.isInstance(this)) {
            return type.cast(this);
        }
        throw new SQLException("not a wrapper of " + type.getName());
    }

    @Override
    public boolean isWrapperFor(Class<?> type) {
        return type.isInstance(this);
    }

    /** The URL without user info and parameters: this ends up in logs and error messages. */
    @Override
    public String toString() {
        return "DriverManagerDataSource[" + JdbcUrls.redact(url) + "]";
    }
}
