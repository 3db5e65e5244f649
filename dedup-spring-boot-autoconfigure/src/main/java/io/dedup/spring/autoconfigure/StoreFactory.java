package io.dedup.spring.autoconfigure;

import io.dedup.jdbc.JdbcDedupStore;
import io.dedup.memory.InMemoryDedupStore;
import io.dedup.redis.RedisDedupStore;
import io.dedup.redis.RedisDedupStoreBuilder;
import io.dedup.spi.DedupStore;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.util.ClassUtils;

/**
 * Chooses and builds the store from {@code dedup.store.type} and what is on the class path. Each backend's classes
 * are touched only in its own nested class, so that a missing store module never loads.
 *
 * <p>Stateless; called once, when the store bean is created.
 */
final class StoreFactory {
    static final String REDIS_STORE = "io.dedup.redis.RedisDedupStore";
    static final String JDBC_STORE = "io.dedup.jdbc.JdbcDedupStore";
    static final String LETTUCE_FACTORY = "org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory";

    private StoreFactory() {}

    /**
     * The store {@code dedup.store.type} names, or for AUTO the first that the application can serve: Redis (it
     * has the store module and a Redis to point it at), then JDBC (store module and a DataSource), then memory.
     *
     * @param lettuce the application's {@code LettuceConnectionFactory}, or {@code null}; a supplier so that it is
     *     looked up only when Redis is a candidate
     * @throws IllegalStateException if the named store's module or connection is missing, saying which
     */
    static DedupStore create(
            DedupProperties properties, ObjectProvider<DataSource> dataSources, Supplier<Object> lettuce) {
        ClassLoader loader = StoreFactory.class.getClassLoader();
        boolean redisPresent = ClassUtils.isPresent(REDIS_STORE, loader);
        boolean jdbcPresent = ClassUtils.isPresent(JDBC_STORE, loader);
        DedupRedisProperties redis = properties.redis();
        return switch (properties.store().type()) {
            case MEMORY -> InMemoryDedupStore.create();
            case REDIS -> {
                require(redisPresent, "dedup.store.type=redis needs io.dedup:dedup-redis-store on the class path");
                yield Redis.create(redis, lettuce.get());
            }
            case JDBC -> {
                require(jdbcPresent, "dedup.store.type=jdbc needs io.dedup:dedup-jdbc-store on the class path");
                DataSource dataSource = dataSources.getIfAvailable();
                require(dataSource != null, "dedup.store.type=jdbc needs a DataSource bean");
                yield Jdbc.create(properties.jdbc(), dataSource);
            }
            case AUTO -> {
                Object factory = lettuce.get();
                if (redisPresent && (hasText(redis.uri()) || factory != null)) {
                    yield Redis.create(redis, factory);
                }
                DataSource dataSource = dataSources.getIfAvailable();
                if (jdbcPresent && dataSource != null) {
                    yield Jdbc.create(properties.jdbc(), dataSource);
                }
                yield InMemoryDedupStore.create();
            }
        };
    }

    /** Fails start-up with {@code message}, which says what to add: a store that cannot be built must not start. */
    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalStateException(message);
        }
    }

    /** Whether a setting was given: Boot binds an empty property as {@code ""}, which means "not set" here. */
    static boolean hasText(String value) {
        return value != null && !value.isBlank();
    }

    /** Touches dedup-jdbc-store's classes; loaded only when the JDBC store is chosen. */
    private static final class Jdbc {
        static DedupStore create(DedupJdbcProperties jdbc, DataSource dataSource) {
            return JdbcDedupStore.builder(dataSource)
                    .table(jdbc.table())
                    .createSchema(jdbc.createSchema())
                    .build();
        }
    }

    /** Touches dedup-redis-store's and spring-data-redis's classes; loaded only when the Redis store is chosen. */
    private static final class Redis {
        static DedupStore create(DedupRedisProperties redis, Object lettuceFactory) {
            String uri = hasText(redis.uri()) ? redis.uri() : uriOf(lettuceFactory);
            RedisDedupStoreBuilder builder =
                    RedisDedupStore.builder(uri).keyPrefix(redis.keyPrefix()).commandTimeout(redis.commandTimeout());
            if (redis.cluster()) {
                builder.cluster(true);
            }
            return builder.build();
        }

        /** The standalone server the application's Lettuce connection factory points at, as a Redis URI. */
        private static String uriOf(Object factory) {
            if (factory == null) {
                throw new IllegalStateException(
                        "the Redis store needs dedup.redis.uri or a LettuceConnectionFactory bean");
            }
            var lettuce = (org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory) factory;
            if (lettuce.getClusterConfiguration() != null || lettuce.getSentinelConfiguration() != null) {
                throw new IllegalStateException("the application's Redis is a cluster or sentinel setup: set "
                        + "dedup.redis.uri (and dedup.redis.cluster=true for a cluster)");
            }
            var standalone = lettuce.getStandaloneConfiguration();
            StringBuilder uri = new StringBuilder(lettuce.isUseSsl() ? "rediss://" : "redis://");
            if (standalone.getPassword().isPresent()) {
                char[] password = standalone.getPassword().get();
                if (standalone.getUsername() != null) {
                    uri.append(encode(standalone.getUsername())).append(':');
                }
                uri.append(encode(new String(password))).append('@');
            }
            uri.append(standalone.getHostName())
                    .append(':')
                    .append(standalone.getPort())
                    .append('/')
                    .append(standalone.getDatabase());
            return uri.toString();
        }

        /** User names and passwords may hold {@code @}, {@code :} or {@code /}, which a URI must not show raw. */
        private static String encode(String part) {
            return URLEncoder.encode(part, StandardCharsets.UTF_8);
        }
    }
}
