package io.dedup.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dedup.DedupConfigurationException;
import io.dedup.DedupKey;
import io.dedup.DedupStores;
import io.dedup.spi.DedupStore;
import io.dedup.spi.StoreSettings;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslVerifyMode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** URI handling, TLS and ACL settings, masking, builder and provider validation: no I/O. */
class RedisUrisTest {
    @Test
    void a_plain_uri_names_host_port_and_database() {
        RedisURI uri = RedisUris.parse("redis://cache.internal:6390/3").get(0);
        assertThat(uri.getHost()).isEqualTo("cache.internal");
        assertThat(uri.getPort()).isEqualTo(6390);
        assertThat(uri.getDatabase()).isEqualTo(3);
        assertThat(uri.isSsl()).isFalse();
        assertThat(RedisUris.describe(uri)).isEqualTo("redis://cache.internal:6390/3");
    }

    @Test
    void rediss_selects_tls_with_full_verification_by_default_and_verify_peer_can_relax_it() {
        RedisURI tls = RedisUris.parse("rediss://cache.internal:6380").get(0);
        assertThat(tls.isSsl()).isTrue();
        assertThat(tls.getVerifyMode()).isEqualTo(SslVerifyMode.FULL);
        assertThat(RedisUris.describe(tls)).isEqualTo("rediss://cache.internal:6380");
        RedisURI ca =
                RedisUris.parse("rediss://cache.internal:6380?verifyPeer=CA").get(0);
        assertThat(ca.getVerifyMode()).isEqualTo(SslVerifyMode.CA);
    }

    @Test
    void an_acl_user_and_password_are_read_and_the_password_never_described() {
        RedisURI acl =
                RedisUris.parse("rediss://billing:s3cr3t@cache.internal:6380/1").get(0);
        assertThat(acl.getUsername()).isEqualTo("billing");
        assertThat(new String(acl.getPassword())).isEqualTo("s3cr3t");
        assertThat(RedisUris.describe(acl))
                .isEqualTo("rediss://billing:***@cache.internal:6380/1")
                .doesNotContain("s3cr3t");
        RedisURI legacy = RedisUris.parse("redis://:s3cr3t@cache.internal").get(0);
        assertThat(RedisUris.describe(legacy)).isEqualTo("redis://***@cache.internal:6379");
    }

    @Test
    void masking_hides_any_user_info_password_of_a_raw_uri() {
        assertThat(RedisUris.mask("redis://user:pw@host:1")).isEqualTo("redis://user:***@host:1");
        assertThat(RedisUris.mask("redis://pw@host:1")).isEqualTo("redis://***@host:1");
        assertThat(RedisUris.mask("redis://host:1")).isEqualTo("redis://host:1");
        assertThat(RedisUris.mask("rediss://u:p@ss@word@host")).isEqualTo("rediss://u:***@host");
    }

    @Test
    void a_malformed_uri_is_a_configuration_error_without_its_password() {
        assertThatThrownBy(() -> RedisUris.parse("ftp://user:s3cr3t@host"))
                .isInstanceOf(DedupConfigurationException.class)
                .hasMessageContaining("user:***@")
                .hasMessageNotContaining("s3cr3t");
        assertThatThrownBy(() -> RedisUris.parse("redis://user:s3cr3t@"))
                .isInstanceOf(DedupConfigurationException.class)
                .hasMessageNotContaining("s3cr3t");
        assertThatThrownBy(() -> RedisUris.parse(" , ")).isInstanceOf(DedupConfigurationException.class);
    }

    @Test
    void cluster_seeds_are_a_comma_separated_list() {
        List<RedisURI> seeds = RedisUris.parse("redis://a:7000, redis://b:7001");
        assertThat(seeds).extracting(RedisURI::getHost).containsExactly("a", "b");
        assertThat(RedisUris.describe(seeds)).isEqualTo("redis://a:7000,redis://b:7001");
    }

    @Test
    void the_store_describes_itself_without_credentials_and_connects_lazily() {
        try (RedisDedupStore store = RedisDedupStore.builder("redis://app:s3cr3t@127.0.0.1:1/2")
                .keyPrefix("p:")
                .build()) {
            assertThat(store.describe())
                    .isEqualTo("redis redis://app:***@127.0.0.1:1/2, key prefix p:")
                    .doesNotContain("s3cr3t");
        }
    }

    @Test
    void several_uris_without_cluster_are_refused() {
        assertThatThrownBy(
                        () -> RedisDedupStore.builder("redis://a:1,redis://b:2").build())
                .isInstanceOf(DedupConfigurationException.class)
                .hasMessageContaining("cluster(true)");
    }

    @Test
    void builder_arguments_are_checked_with_their_names() {
        RedisDedupStoreBuilder builder = RedisDedupStore.builder("redis://127.0.0.1:1");
        assertThatThrownBy(() -> builder.commandTimeout(Duration.ZERO)).hasMessageContaining("commandTimeout");
        assertThatThrownBy(() -> builder.commandTimeout(null)).hasMessageContaining("commandTimeout");
        assertThatThrownBy(() -> builder.keyPrefix(null)).hasMessageContaining("keyPrefix");
        assertThatThrownBy(() -> builder.keyPrefix("x".repeat(129))).hasMessageContaining("keyPrefix");
        assertThatThrownBy(() -> RedisDedupStore.builder((String) null)).hasMessageContaining("uri");
    }

    @Test
    void record_keys_keep_namespaces_apart_even_when_they_contain_the_separator() {
        RecordKeys keys = new RecordKeys("dedup:");
        assertThat(keys.of(new DedupKey("orders", "42"))).isEqualTo("dedup:orders:42");
        assertThat(keys.of(new DedupKey("a:b", "c"))).isNotEqualTo(keys.of(new DedupKey("a", "b:c")));
        assertThat(keys.of(new DedupKey("a:b", "c"))).isEqualTo("dedup:a%3Ab:c");
        assertThat(keys.of(new DedupKey("a%3Ab", "c"))).isEqualTo("dedup:a%253Ab:c");
    }

    @Test
    void durations_are_sent_as_whole_milliseconds_between_one_and_a_century() {
        assertThat(new String(ScriptCalls.millis(Duration.ofNanos(1)))).isEqualTo("1");
        assertThat(new String(ScriptCalls.millis(Duration.ofSeconds(2)))).isEqualTo("2000");
        assertThat(new String(ScriptCalls.millis(Duration.ofSeconds(Long.MAX_VALUE))))
                .isEqualTo(String.valueOf(ScriptCalls.LONGEST_DURATION.toMillis()));
    }

    @Test
    void the_provider_is_found_by_the_service_loader_and_reads_its_settings() {
        try (DedupStore store = DedupStores.discover(
                StoreSettings.of(Map.of(
                        "dedup.redis.uri", "rediss://u:pw@127.0.0.1:1",
                        "dedup.redis.key-prefix", "svc:",
                        "dedup.redis.command-timeout", "PT3S")),
                getClass().getClassLoader())) {
            assertThat(store).isInstanceOf(RedisDedupStore.class);
            assertThat(store.describe()).isEqualTo("redis rediss://u:***@127.0.0.1:1, key prefix svc:");
        }
        try (DedupStore store = new RedisDedupStoreProvider().create(StoreSettings.of(Map.of()))) {
            assertThat(store.describe()).isEqualTo("redis redis://127.0.0.1:6379, key prefix dedup:");
        }
        try (DedupStore store = new RedisDedupStoreProvider()
                .create(StoreSettings.of(
                        Map.of("dedup.redis.uri", "redis://a:1,redis://b:2", "dedup.redis.cluster", "true")))) {
            assertThat(store.describe()).startsWith("redis cluster redis://a:1,redis://b:2");
        }
    }

    @Test
    void bad_provider_settings_are_configuration_errors() {
        RedisDedupStoreProvider provider = new RedisDedupStoreProvider();
        assertThatThrownBy(() -> provider.create(StoreSettings.of(Map.of("dedup.redis.cluster", "maybe"))))
                .isInstanceOf(DedupConfigurationException.class)
                .hasMessageContaining("dedup.redis.cluster");
        assertThatThrownBy(() -> provider.create(StoreSettings.of(Map.of("dedup.redis.command-timeout", "soon"))))
                .isInstanceOf(DedupConfigurationException.class)
                .hasMessageContaining("dedup.redis.command-timeout");
        assertThatThrownBy(() -> provider.create(StoreSettings.of(Map.of("dedup.redis.command-timeout", "0"))))
                .isInstanceOf(DedupConfigurationException.class);
        assertThatThrownBy(() -> provider.create(StoreSettings.of(Map.of("dedup.redis.cluster", "yes"))))
                .as("booleans are true or false, as everywhere else")
                .isInstanceOf(DedupConfigurationException.class)
                .hasMessageContaining("true or false");
        assertThatThrownBy(() -> provider.create(StoreSettings.of(Map.of("dedup.redis.command-timeout", "0s"))))
                .isInstanceOf(DedupConfigurationException.class)
                .hasMessageContaining("must be positive");
        try (DedupStore store = provider.create(StoreSettings.of(Map.of("dedup.redis.command-timeout", "1500ms")))) {
            assertThat(store).isInstanceOf(RedisDedupStore.class);
        }
    }
}
