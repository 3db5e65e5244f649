package io.dedup.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dedup.FailurePolicy;
import io.dedup.memory.InMemoryDedupStore;
import java.time.Duration;
import java.util.Map;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;

class KafkaDedupPropertiesTest {
    /** A KafkaDedup on an in-memory store, configured by {@code properties} alone. */
    private static KafkaDedup configuredBy(Map<String, String> properties) {
        return KafkaDedup.builder()
                .store(InMemoryDedupStore.create())
                .properties(properties)
                .build();
    }

    /** Asserts that the builder refuses the one setting {@code key=value}; returns the refusal, to check its message. */
    private static AbstractThrowableAssert<?, ? extends Throwable> assertThatRefused(String key, String value) {
        return assertThatThrownBy(() -> KafkaDedup.builder().properties(Map.of(key, value)));
    }

    @Test
    void properties_configure_namespace_keys_per_topic_and_dead_letter_topics() {
        try (KafkaDedup dedup = configuredBy(Map.of(
                "group.id", "billing",
                "bootstrap.servers", "ignored:9092",
                "dedup.kafka.key", "header:event-id",
                "dedup.kafka.topic.pay.ments.key", "json-pointer:/id",
                "dedup.kafka.topic.orders.dead-letter-topic", "orders-dead",
                "dedup.kafka.dead-letter-suffix", "-dlt",
                "dedup.failure-policy", "mark-failed",
                "dedup.lease", "PT10S",
                "dedup.retention", "1h"))) {
            assertThat(dedup.namespace()).isEqualTo("billing");
            assertThat(dedup.deadLetterTopic("orders")).isEqualTo("orders-dead");
            assertThat(dedup.deadLetterTopic("other")).isEqualTo("other-dlt");
            assertThat(dedup.settings().shared().failurePolicy()).isEqualTo(FailurePolicy.MARK_FAILED);
            assertThat(dedup.settings().shared().lease()).isEqualTo(Duration.ofSeconds(10));
            assertThat(dedup.settings().shared().retention()).isEqualTo(Duration.ofHours(1));
            assertThat(dedup.keyOf(Records.record("pay.ments", 0, 0, null, "{\"id\":\"p1\"}"))
                            .id())
                    .isEqualTo("p1");
            var withEventId = Records.record("orders", 0, 0, null, "{}");
            withEventId.headers().add("event-id", "e1".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            assertThat(dedup.keyOf(withEventId).id()).isEqualTo("e1");
            assertThat(dedup.keyOf(withEventId).namespace()).isEqualTo("billing");
        }
    }

    @Test
    void namespace_wins_over_group_id_and_defaults_apply() {
        try (KafkaDedup dedup = configuredBy(Map.of("group.id", "g", "dedup.namespace", "ns"))) {
            assertThat(dedup.namespace()).isEqualTo("ns");
            assertThat(dedup.deadLetterTopic("orders")).isEqualTo("orders.DLT");
        }
    }

    @Test
    void retry_settings_are_read_together() {
        try (KafkaDedup dedup =
                configuredBy(Map.of("dedup.kafka.max-attempts", "5", "dedup.kafka.retry-backoff", "100ms"))) {
            assertThat(dedup.settings().maxAttempts()).isEqualTo(5);
            assertThat(dedup.settings().retryDelay(1)).isEqualTo(Duration.ofMillis(100));
            assertThat(dedup.settings().retryDelay(3)).isEqualTo(Duration.ofMillis(400));
            assertThat(dedup.settings().retryDelay(30)).isEqualTo(KafkaDedup.DEFAULT_MAX_RETRY_BACKOFF);
        }
    }

    @Test
    void invalid_and_unknown_settings_name_their_key() {
        assertThatRefused("dedup.kafka.max-attempts", "zero")
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("dedup.kafka.max-attempts");
        assertThatRefused("dedup.kafka.retries", "3")
                .hasMessageContaining("dedup.kafka.retries")
                .hasMessageContaining("unknown setting");
        assertThatRefused("dedup.kafka.topic.x.key", "nope").hasMessageContaining("dedup.kafka.topic.x.key");
    }

    @Test
    void a_typo_in_a_core_key_is_refused_with_the_nearest_known_name() {
        assertThatRefused("dedup.leese", "PT30S")
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown setting dedup.leese: did you mean dedup.lease?");
        assertThatRefused("dedup.redis.key-prefx", "svc:").hasMessageContaining("did you mean dedup.redis.key-prefix?");
    }

    @Test
    void durations_and_booleans_follow_the_one_grammar() {
        try (KafkaDedup dedup = configuredBy(Map.of(
                "dedup.lease", "30s",
                "dedup.kafka.defer-backoff", "500ms",
                "dedup.kafka.pass-deferred", "TRUE",
                "dedup.digest-all-keys", "true"))) {
            assertThat(dedup.settings().shared().lease()).isEqualTo(Duration.ofSeconds(30));
            assertThat(dedup.settings().deferBackoff()).isEqualTo(Duration.ofMillis(500));
            assertThat(dedup.settings().passDeferred()).isTrue();
            assertThat(dedup.settings().shared().digestAllKeys()).isTrue();
        }
        assertThatRefused("dedup.lease", "thirty")
                .hasMessageContaining("dedup.lease=thirty")
                .hasMessageContaining("500ms, 30s, 5m, 24h or ISO-8601");
        assertThatRefused("dedup.kafka.pass-deferred", "yes")
                .hasMessageContaining("dedup.kafka.pass-deferred=yes")
                .hasMessageContaining("true or false");
    }

    @Test
    void store_settings_in_the_consumer_configuration_choose_and_configure_the_store() {
        try (KafkaDedup dedup =
                KafkaDedup.builder().properties(Map.of("dedup.store", "memory")).build()) {
            assertThat(dedup.store()).isSameAs(io.dedup.DedupStores.sharedInMemory());
        }
        try (KafkaDedup dedup = KafkaDedup.builder()
                .properties(Map.of(
                        "dedup.store", "redis",
                        "dedup.redis.uri", "redis://127.0.0.1:1",
                        "dedup.redis.key-prefix", "kafka-props:"))
                .build()) {
            assertThat(dedup.store().describe()).isEqualTo("redis redis://127.0.0.1:1, key prefix kafka-props:");
        }
    }

    @Test
    void the_shared_settings_given_are_the_ones_every_topic_uses_renewal_included() {
        io.dedup.DedupSettings shared = io.dedup.DedupSettings.custom()
                .lease(Duration.ofMinutes(2))
                .retention(Duration.ofHours(3))
                .leaseRenewalFraction(0.5)
                .failurePolicy(FailurePolicy.MARK_FAILED)
                .build();
        try (KafkaDedup dedup = KafkaDedup.builder()
                .store(InMemoryDedupStore.create())
                .settings(shared)
                .build()) {
            io.dedup.DedupSettings used = dedup.consumerFor("orders").settings();
            assertThat(used.lease()).isEqualTo(Duration.ofMinutes(2));
            assertThat(used.retention()).isEqualTo(Duration.ofHours(3));
            assertThat(used.leaseRenewalFraction()).isEqualTo(0.5);
            assertThat(used.failurePolicy()).isEqualTo(FailurePolicy.MARK_FAILED);
        }
    }

    @Test
    void the_lease_renewal_fraction_read_from_configuration_reaches_every_topic() {
        try (KafkaDedup dedup = configuredBy(Map.of("dedup.lease-renewal-fraction", "0"))) {
            assertThat(dedup.consumerFor("orders").settings().leaseRenewalFraction())
                    .isZero();
        }
    }
}
