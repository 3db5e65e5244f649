package io.dedup.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dedup.DedupConfigurationException;
import io.dedup.DedupKey;
import io.dedup.DedupStores;
import io.dedup.spi.ClaimRequest;
import io.dedup.spi.ClaimResult;
import io.dedup.spi.DedupStore;
import io.dedup.spi.StoreSettings;
import io.dedup.testkit.LocalServices;
import io.dedup.testkit.ServiceEndpoint;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The store selected by dependency: ServiceLoader finds it and configures it from settings. */
class JdbcDedupStoreProviderTest {
    @RegisterExtension
    static final TestDatabase database = TestDatabase.of(JdbcDialect.POSTGRESQL);

    private Map<String, String> settings(String table) {
        ServiceEndpoint pg = LocalServices.postgres();
        Map<String, String> settings = new HashMap<>();
        settings.put("dedup.jdbc.url", pg.jdbcUrl() + "?ApplicationName=dedup-provider-test");
        settings.put("dedup.jdbc.user", pg.user());
        settings.put("dedup.jdbc.password", "never-shown-" + pg.password());
        settings.put("dedup.jdbc.table", table);
        settings.put("dedup.jdbc.lock-timeout", "3s"); // the shared grammar: ISO-8601 works too
        settings.put("dedup.jdbc.pool-size", "2");
        return settings;
    }

    @Test
    void discovery_finds_the_jdbc_store_creates_its_schema_and_closes_its_pool() {
        String table = database.uniqueTable("provided");
        try (DedupStore store = DedupStores.discover(
                StoreSettings.of(settings(table)), getClass().getClassLoader())) {
            assertThat(store).isInstanceOf(JdbcDedupStore.class);
            JdbcDedupStore jdbc = (JdbcDedupStore) store;
            assertThat(jdbc.table()).isEqualTo(table);
            assertThat(jdbc.dialect()).isEqualTo(JdbcDialect.POSTGRESQL);
            assertThat(jdbc.lockTimeout()).isEqualTo(Duration.ofSeconds(3));
            assertThat(store.describe()).doesNotContain("never-shown");
            assertThat(store.toString()).doesNotContain("never-shown");
            Duration d = Duration.ofMinutes(1);
            assertThat(store.claim(ClaimRequest.of(DedupKey.of("provided", "k"), d, d)))
                    .isInstanceOf(ClaimResult.Acquired.class);
        }
    }

    @Test
    void a_missing_url_is_a_configuration_error_naming_the_setting_and_its_environment_variable() {
        JdbcDedupStoreProvider provider = new JdbcDedupStoreProvider();
        assertThat(provider.name()).isEqualTo("jdbc");
        assertThatThrownBy(() -> provider.create(StoreSettings.of(Map.of())))
                .isInstanceOf(DedupConfigurationException.class)
                .hasMessageContaining("dedup.jdbc.url")
                .hasMessageContaining("DEDUP_JDBC_URL");
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "dedup.jdbc.table         | x;drop",
                "dedup.jdbc.lock-timeout  | ten seconds",
                "dedup.jdbc.create-schema | yes",
                "dedup.jdbc.pool-size     | 0"
            })
    void a_malformed_setting_is_a_configuration_error_naming_the_setting(String key, String value) {
        Map<String, String> settings = settings("t");
        settings.put(key, value);
        assertThatThrownBy(() -> new JdbcDedupStoreProvider().create(StoreSettings.of(settings)))
                .isInstanceOf(DedupConfigurationException.class)
                .hasMessageContaining(key);
    }
}
