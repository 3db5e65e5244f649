package io.dedup.spring.autoconfigure;

import io.dedup.DedupConsumer;
import io.dedup.spi.DedupStore;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.util.ClassUtils;

/**
 * The processed-keys store: the application's own {@link DedupStore} bean when it has one, otherwise the one its
 * class path and {@code dedup.store.type} select (Redis from {@code dedup.redis.uri} or the application's Lettuce
 * connection factory, JDBC on its {@code DataSource}, else in memory).
 *
 * <p>Its bean is created by Spring on one thread; every store is thread-safe. {@code dedup.enabled=false} turns the
 * whole starter off, this store included.
 */
@AutoConfiguration(
        afterName = {
            "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
            "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration",
            "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration",
            "org.springframework.boot.autoconfigure.data.redis.RedisAutoConfiguration"
        })
@ConditionalOnClass(DedupConsumer.class)
@ConditionalOnBooleanProperty(name = "dedup.enabled", matchIfMissing = true)
@EnableConfigurationProperties(DedupProperties.class)
public class DedupAutoConfiguration {
    /**
     * The store chosen from the class path; closed with the context. Only when the application has no store of its
     * own: its bean wins, because it knows things the starter cannot (a cluster topology, a store wrapped for tests
     * or metrics), and two stores would split the keys between them. Created after Boot's DataSource and Redis
     * auto-configurations, so that the choice sees their beans.
     *
     * @throws IllegalStateException if {@code dedup.store.type} names a store whose module or connection is missing
     */
    @Bean
    @ConditionalOnMissingBean(DedupStore.class)
    public DedupStore dedupStore(
            DedupProperties properties, ObjectProvider<DataSource> dataSources, ApplicationContext context) {
        return StoreFactory.create(properties, dataSources, () -> lettuceFactory(context));
    }

    /** The application's LettuceConnectionFactory, or null when it has none (or spring-data-redis is absent). */
    private static Object lettuceFactory(ApplicationContext context) {
        ClassLoader loader = DedupAutoConfiguration.class.getClassLoader();
        if (!ClassUtils.isPresent(StoreFactory.LETTUCE_FACTORY, loader)) {
            return null;
        }
        return context.getBeanProvider(ClassUtils.resolveClassName(StoreFactory.LETTUCE_FACTORY, loader))
                .getIfAvailable();
    }
}
