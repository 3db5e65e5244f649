package io.dedup.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dedup.memory.InMemoryDedupStore;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class RabbitDedupBuilderTest {
    @Test
    void the_namespace_defaults_to_the_queue_name() {
        try (RabbitDedup dedup =
                RabbitDedup.builder("orders").store(InMemoryDedupStore.create()).build()) {
            assertThat(dedup.dedup().namespace()).isEqualTo("orders");
            assertThat(dedup.queue()).isEqualTo("orders");
        }
    }

    @Test
    void per_queue_settings_are_read_from_properties() {
        Properties properties = new Properties();
        properties.setProperty("dedup.rabbitmq.orders.key", "header:order-key,message-id");
        properties.setProperty("dedup.rabbitmq.orders.namespace", "shop-orders");
        properties.setProperty("dedup.rabbitmq.orders.max-attempts", "5");
        properties.setProperty("dedup.rabbitmq.orders.redelivery-delay", "250ms");
        properties.setProperty("dedup.rabbitmq.orders.declare-topology", "true");
        properties.setProperty("dedup.rabbitmq.orders.batch-wait", "PT0.005S");
        properties.setProperty("dedup.rabbitmq.payments.namespace", "not for this queue");
        try (RabbitDedup dedup = configured(properties)) {
            assertThat(dedup.dedup().namespace()).isEqualTo("shop-orders");
            assertThat(dedup.settings().maxAttempts()).isEqualTo(5);
            assertThat(dedup.settings().redeliveryDelay()).isEqualTo(Duration.ofMillis(250));
            assertThat(dedup.settings().batchWait()).isEqualTo(Duration.ofMillis(5));
            assertThat(dedup.settings().retryQueue()).isEqualTo("orders.dedup.retry");
            assertThat(dedup.settings().deadLetterExchange()).isEmpty();
            assertThat(dedup.settings().deadLetterRoutingKey()).isEqualTo("orders.dedup.dlq");
        }
    }

    @Test
    void an_explicit_dead_letter_exchange_wins_over_the_declared_topology() {
        try (RabbitDedup dedup = configured(Map.of(
                "dedup.rabbitmq.orders.declare-topology", "true",
                "dedup.rabbitmq.orders.dead-letter-exchange", "dlx",
                "dedup.rabbitmq.orders.dead-letter-routing-key", "orders.dead"))) {
            assertThat(dedup.settings().deadLetterExchange()).isEqualTo("dlx");
            assertThat(dedup.settings().deadLetterRoutingKey()).isEqualTo("orders.dead");
            assertThat(dedup.settings().retryQueue()).isEqualTo("orders.dedup.retry");
        }
    }

    @Test
    void an_invalid_property_is_named_in_the_error() {
        assertThatThrownBy(() -> RabbitDedup.builder("orders")
                        .configure(Map.of("dedup.rabbitmq.orders.redelivery-delay", "soon")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("redelivery-delay")
                .hasMessageContaining("soon");
        assertThatThrownBy(() ->
                        RabbitDedup.builder("orders").configure(Map.of("dedup.rabbitmq.orders.max-attempts", "0")))
                .hasMessageContaining("max-attempts");
    }

    @Test
    void arguments_are_checked_when_set_and_named() {
        RabbitDedupBuilder builder = RabbitDedup.builder("orders");
        assertThatThrownBy(() -> builder.maxAttempts(0)).hasMessageContaining("maxAttempts");
        assertThatThrownBy(() -> builder.redeliveryDelay(Duration.ZERO)).hasMessageContaining("redeliveryDelay");
        assertThatThrownBy(() -> builder.batching(0, Duration.ZERO)).hasMessageContaining("batchSize");
        assertThatThrownBy(() -> builder.storeBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .hasMessageContaining("max");
        assertThatThrownBy(() -> builder.namespace("")).hasMessageContaining("namespace");
        assertThatThrownBy(() -> builder.store(null)).hasMessageContaining("store");
        assertThatThrownBy(() -> RabbitDedup.builder("")).hasMessageContaining("queue");
    }

    @Test
    void properties_use_the_one_grammar_strict_booleans_and_core_settings() {
        try (RabbitDedup dedup = configured(Map.of(
                "dedup.rabbitmq.orders.lease", "2m",
                "dedup.rabbitmq.orders.retention", "PT48H",
                "dedup.rabbitmq.orders.failure-policy", "mark-failed"))) {
            assertThat(dedup.dedup().settings().lease()).isEqualTo(Duration.ofMinutes(2));
            assertThat(dedup.dedup().settings().retention()).isEqualTo(Duration.ofHours(48));
            assertThat(dedup.dedup().settings().failurePolicy()).isEqualTo(io.dedup.FailurePolicy.MARK_FAILED);
        }
        assertThatThrownBy(() -> RabbitDedup.builder("orders")
                        .configure(Map.of("dedup.rabbitmq.orders.declare-topology", "yes")))
                .hasMessageContaining("dedup.rabbitmq.orders.declare-topology=yes")
                .hasMessageContaining("true or false");
        assertThatThrownBy(() -> RabbitDedup.builder("orders")
                        .configure(Map.of("dedup.rabbitmq.orders.redelivery-delay", "2 s")))
                .hasMessageContaining("500ms, 30s, 5m, 24h or ISO-8601");
    }

    @Test
    void an_unknown_property_of_the_queue_names_the_nearest_known_one() {
        assertThatThrownBy(
                        () -> RabbitDedup.builder("orders").configure(Map.of("dedup.rabbitmq.orders.max-atempts", "5")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "unknown setting dedup.rabbitmq.orders.max-atempts: did you mean dedup.rabbitmq.orders.max-attempts?");
    }

    @Test
    void a_queue_whose_name_extends_this_ones_keeps_its_properties_to_itself() {
        try (RabbitDedup dedup = configured(
                Map.of("dedup.rabbitmq.orders.eu.max-attempts", "7", "dedup.rabbitmq.orders.max-attempts", "4"))) {
            assertThat(dedup.settings().maxAttempts()).isEqualTo(4);
        }
    }

    @Test
    void shared_settings_are_taken_whole_and_properties_read_after_them_change_one_value() {
        io.dedup.DedupSettings shared = io.dedup.DedupSettings.custom()
                .lease(Duration.ofMinutes(1))
                .digestAllKeys(true)
                .build();
        try (RabbitDedup dedup = RabbitDedup.builder("orders")
                .store(InMemoryDedupStore.create())
                .settings(shared)
                .configure(Map.of("dedup.rabbitmq.orders.retention", "2h"))
                .build()) {
            io.dedup.DedupSettings used = dedup.dedup().settings();
            assertThat(used.lease()).isEqualTo(Duration.ofMinutes(1));
            assertThat(used.digestAllKeys()).isTrue();
            assertThat(used.retention()).isEqualTo(Duration.ofHours(2));
        }
        assertThatThrownBy(() -> RabbitDedup.builder("orders").settings(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("settings");
    }

    /** A wrapper for queue {@code orders} on an in-memory store, configured from {@code properties}. */
    private static RabbitDedup configured(Map<String, String> properties) {
        return inMemory().configure(properties).build();
    }

    private static RabbitDedup configured(Properties properties) {
        return inMemory().configure(properties).build();
    }

    private static RabbitDedupBuilder inMemory() {
        return RabbitDedup.builder("orders").store(InMemoryDedupStore.create());
    }
}
