package io.dedup.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.dedup.DedupConsumer;
import io.dedup.DedupResult;
import io.dedup.jdbc.JdbcDedupStore;
import io.dedup.memory.InMemoryDedupStore;
import io.dedup.redis.RedisDedupStore;
import io.dedup.spi.DedupStore;
import io.dedup.testkit.LocalServices;
import io.dedup.testkit.ServiceEndpoint;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The store follows the class path and the application's beans; an application's own DedupStore bean wins. */
class StoreAutoConfigurationTest {
    private final ApplicationContextRunner runner =
            new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(DedupAutoConfiguration.class));

    @Test
    void without_a_datasource_or_redis_the_store_is_in_memory() {
        runner.run(context -> assertThat(context.getBean(DedupStore.class)).isInstanceOf(InMemoryDedupStore.class));
    }

    @Test
    void the_applications_own_store_bean_wins() {
        InMemoryDedupStore own = InMemoryDedupStore.create();
        runner.withBean("myStore", DedupStore.class, () -> own)
                .run(context -> assertThat(context.getBean(DedupStore.class)).isSameAs(own));
    }

    @Test
    void with_the_applications_datasource_the_store_is_jdbc_on_it() {
        ServiceEndpoint postgres = LocalServices.postgres();
        String table = "dedup_boot_" + UUID.randomUUID().toString().substring(0, 8);
        runner.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class))
                .withPropertyValues(
                        "spring.datasource.url=" + postgres.jdbcUrl(),
                        "spring.datasource.username=" + postgres.user(),
                        "dedup.jdbc.table=" + table)
                .run(context -> {
                    DedupStore store = context.getBean(DedupStore.class);
                    assertThat(store).isInstanceOf(JdbcDedupStore.class);
                    assertThat(((JdbcDedupStore) store).table()).isEqualTo(table);
                    assertProcessesOnce(store);
                });
    }

    @Test
    void with_the_applications_lettuce_connection_factory_the_store_is_redis_on_the_same_server() {
        ServiceEndpoint redis = LocalServices.redis();
        runner.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class))
                .withPropertyValues(
                        "spring.data.redis.host=" + redis.host(),
                        "spring.data.redis.port=" + redis.port(),
                        "dedup.redis.key-prefix=dedup-boot-test:")
                .run(context -> {
                    DedupStore store = context.getBean(DedupStore.class);
                    assertThat(store).isInstanceOf(RedisDedupStore.class);
                    assertProcessesOnce(store);
                });
    }

    @Test
    void an_explicit_store_type_without_its_module_setup_fails_with_a_message() {
        runner.withPropertyValues("dedup.store.type=jdbc").run(context -> assertThat(context.getStartupFailure())
                .rootCause()
                .hasMessageContaining("dedup.store.type=jdbc needs a DataSource bean"));
    }

    private static void assertProcessesOnce(DedupStore store) {
        String key = UUID.randomUUID().toString();
        try (DedupConsumer<String> dedup = DedupConsumer.<String>builder(Optional::of)
                .store(store)
                .namespace("boot-test")
                .build()) {
            assertThat(dedup.process(key, m -> "done")).isInstanceOf(DedupResult.Processed.class);
            assertThat(dedup.process(key, m -> "again")).isInstanceOf(DedupResult.Duplicate.class);
        }
    }
}
