package io.dedup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dedup.memory.InMemoryDedupStore;
import io.dedup.spi.SettingsReader;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DedupSettingsTest {
    @Test
    void the_defaults_are_the_documented_ones() {
        DedupSettings defaults = DedupSettings.ofDefaults();
        assertThat(defaults.lease()).isEqualTo(Duration.ofSeconds(30));
        assertThat(defaults.retention()).isEqualTo(Duration.ofHours(24));
        assertThat(defaults.leaseRenewalFraction()).isEqualTo(1.0 / 3);
        assertThat(defaults.failurePolicy()).isEqualTo(FailurePolicy.RELEASE);
        assertThat(defaults.storeUnavailablePolicy()).isEqualTo(StoreUnavailablePolicy.FAIL_CLOSED);
        assertThat(defaults.digestAllKeys()).isFalse();
    }

    @Test
    void from_copies_a_base_and_leaves_it_unchanged() {
        DedupSettings base = DedupSettings.custom()
                .lease(Duration.ofMinutes(2))
                .failurePolicy(FailurePolicy.MARK_FAILED)
                .build();
        DedupSettings derived = DedupSettings.from(base).digestAllKeys(true).build();
        assertThat(derived.lease()).isEqualTo(Duration.ofMinutes(2));
        assertThat(derived.failurePolicy()).isEqualTo(FailurePolicy.MARK_FAILED);
        assertThat(derived.digestAllKeys()).isTrue();
        assertThat(base.digestAllKeys()).isFalse();
    }

    @Test
    void values_are_checked_when_set_and_named() {
        DedupSettings.Builder builder = DedupSettings.custom();
        assertThatThrownBy(() -> builder.lease(Duration.ZERO)).hasMessageContaining("lease must be positive");
        assertThatThrownBy(() -> builder.retention(Duration.ofSeconds(-1))).hasMessageContaining("retention");
        assertThatThrownBy(() -> builder.lease(null)).hasMessageContaining("lease");
        assertThatThrownBy(() -> builder.leaseRenewalFraction(1)).hasMessageContaining("leaseRenewalFraction");
        assertThatThrownBy(() -> builder.failurePolicy(null)).hasMessageContaining("failurePolicy");
        assertThatThrownBy(() -> DedupSettings.custom()
                        .lease(Duration.ofHours(2))
                        .retention(Duration.ofHours(1))
                        .build())
                .hasMessageContaining("must not be longer than retention");
    }

    @Test
    void settings_are_read_from_configuration_under_a_prefix() {
        DedupSettings read = DedupSettings.custom()
                .read(
                        SettingsReader.of(Map.of(
                                "q.lease", "2m",
                                "q.retention", "PT48H",
                                "q.lease-renewal-fraction", "0.5",
                                "q.failure-policy", "mark-failed",
                                "q.store-unavailable", "FAIL_OPEN",
                                "q.digest-all-keys", "true")),
                        "q.")
                .build();
        assertThat(read.lease()).isEqualTo(Duration.ofMinutes(2));
        assertThat(read.retention()).isEqualTo(Duration.ofHours(48));
        assertThat(read.leaseRenewalFraction()).isEqualTo(0.5);
        assertThat(read.failurePolicy()).isEqualTo(FailurePolicy.MARK_FAILED);
        assertThat(read.storeUnavailablePolicy()).isEqualTo(StoreUnavailablePolicy.FAIL_OPEN);
        assertThat(read.digestAllKeys()).isTrue();
        assertThatThrownBy(() -> DedupSettings.custom()
                        .read(SettingsReader.of(Map.of("q.lease-renewal-fraction", "half")), "q."))
                .hasMessageContaining("q.lease-renewal-fraction");
        assertThatThrownBy(() -> DedupSettings.custom().read(SettingsReader.of(Map.of("q.lease", "0s")), "q."))
                .hasMessageContaining("q.lease");
    }

    @Test
    void a_consumer_built_from_settings_uses_them_as_given() {
        DedupSettings settings = DedupSettings.custom()
                .lease(Duration.ofMinutes(1))
                .retention(Duration.ofHours(2))
                .storeUnavailablePolicy(StoreUnavailablePolicy.FAIL_OPEN)
                .build();
        try (DedupConsumer<String> consumer = DedupConsumer.<String>builder(Optional::of)
                .store(InMemoryDedupStore.create())
                .settings(settings)
                .build()) {
            assertThat(consumer.settings()).isSameAs(settings);
        }
        try (DedupConsumer<String> consumer = DedupConsumer.<String>builder(Optional::of)
                .store(InMemoryDedupStore.create())
                .build()) {
            assertThat(consumer.settings()).isSameAs(DedupSettings.ofDefaults());
        }
    }
}
