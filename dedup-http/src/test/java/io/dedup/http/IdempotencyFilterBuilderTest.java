package io.dedup.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dedup.DedupSettings;
import io.dedup.memory.InMemoryDedupStore;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class IdempotencyFilterBuilderTest {
    private final IdempotencyFilterBuilder builder = IdempotencyFilter.builder(InMemoryDedupStore.create());

    @Test
    void defaults_follow_the_draft_and_the_design() {
        try (IdempotencyFilter filter = builder.build()) {
            IdempotencyConfig config = filter.config();
            assertThat(config.methods()).containsExactlyInAnyOrder("POST", "PATCH");
            assertThat(config.pathPatterns()).containsExactly("/*");
            assertThat(config.settings()).isSameAs(DedupSettings.ofDefaults());
            assertThat(config.inFlightWait()).isZero();
            assertThat(config.storeServerErrors()).isFalse();
            assertThat(config.storedHeaders()).contains("content-type", "location");
        }
    }

    @Test
    void every_bad_argument_is_refused_naming_the_parameter() {
        assertThatThrownBy(() -> IdempotencyFilter.builder(null)).hasMessageContaining("store");
        assertThatThrownBy(() -> builder.methods()).hasMessageContaining("methods");
        assertThatThrownBy(() -> builder.methods("POST", " ")).hasMessageContaining("methods");
        assertThatThrownBy(() -> builder.pathPatterns("orders")).hasMessageContaining("pathPatterns");
        assertThatThrownBy(() -> builder.pathPatterns("/a/*/b")).hasMessageContaining("pathPatterns");
        assertThatThrownBy(() -> builder.namespace("")).hasMessageContaining("namespace");
        assertThatThrownBy(() -> builder.settings(null)).hasMessageContaining("settings");
        assertThatThrownBy(() -> builder.inFlightWait(Duration.ofSeconds(-1))).hasMessageContaining("inFlightWait");
        assertThatThrownBy(() -> builder.maxKeyLength(0)).hasMessageContaining("maxKeyLength");
        assertThatThrownBy(() -> builder.maxRequestBodyBytes(-1)).hasMessageContaining("maxRequestBodyBytes");
        assertThatThrownBy(() -> builder.maxStoredBodyBytes(-1)).hasMessageContaining("maxStoredBodyBytes");
        assertThatThrownBy(() -> builder.storedHeaders("Location", null)).hasMessageContaining("storedHeaders");
        assertThatThrownBy(() -> builder.fingerprintHeaders("")).hasMessageContaining("fingerprintHeaders");
        assertThatThrownBy(() -> builder.clientIdResolver(null)).hasMessageContaining("clientIdResolver");
        assertThatThrownBy(() -> IdempotencyFilter.builder(InMemoryDedupStore.create())
                        .meterRegistry("not a registry")
                        .build())
                .hasMessageContaining("meterRegistry");
    }

    @Test
    void the_config_is_immutable() {
        try (IdempotencyFilter filter = builder.methods("post", "Put").build()) {
            assertThat(filter.config().methods()).containsExactlyInAnyOrder("POST", "PUT");
            assertThatThrownBy(() -> filter.config().methods().add("GET"))
                    .isInstanceOf(UnsupportedOperationException.class);
        }
    }

    @Test
    void a_qualified_key_cannot_be_forged_by_choosing_client_ids_with_separators() {
        assertThat(new IdempotencyKey("a:1", "b").qualified()).isNotEqualTo(new IdempotencyKey("a", "1:b").qualified());
        assertThat(new IdempotencyKey("", "k").qualified()).isEqualTo("0::k");
    }
}
