package io.dedup.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import javax.sql.DataSource;

/** Creates a HikariCP pool. Only loaded when HikariCP is on the classpath (it is an optional dependency). */
final class HikariPools {
    private HikariPools() {}

    /**
     * Whether HikariCP can be loaded. Asked without initialising the class, so that a missing or broken HikariCP
     * (a {@link LinkageError}) means "use the fallback", never a failure of the provider.
     */
    static boolean available() {
        try {
            Class.forName("com.zaxxer.hikari.HikariDataSource", false, HikariPools.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /**
     * A pool of at most {@code size} connections; nothing is connected yet. Call only when {@link #available()}.
     */
    static DataSource create(String url, String user, String password, int size) {
        HikariConfig config = new HikariConfig();
        // Named, so that the pool's threads and metrics are told apart from the application's own pools.
        config.setPoolName("dedup-jdbc");
        config.setJdbcUrl(url);
        if (user != null) {
            config.setUsername(user);
        }
        if (password != null) {
            config.setPassword(password);
        }
        config.setMaximumPoolSize(size);
        // Fail-closed adapters back off and retry; a long wait for a connection only delays that.
        config.setConnectionTimeout(5_000);
        // -1: build the pool even while the database is down; claims then fail as unavailable until it is back,
        // instead of the application failing to start.
        config.setInitializationFailTimeout(-1);
        return new HikariDataSource(config);
    }
}
