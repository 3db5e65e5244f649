package io.dedup.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dedup.DedupConfigurationException;
import io.dedup.FailurePolicy;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class SettingsReaderTest {
    @Test
    void durations_are_written_one_way_everywhere() {
        assertThat(SettingsReader.parseDuration("k", "500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(SettingsReader.parseDuration("k", "30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(SettingsReader.parseDuration("k", "5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(SettingsReader.parseDuration("k", "24h")).isEqualTo(Duration.ofHours(24));
        assertThat(SettingsReader.parseDuration("k", "PT30S")).isEqualTo(Duration.ofSeconds(30));
        assertThat(SettingsReader.parseDuration("k", "pt0.5s")).isEqualTo(Duration.ofMillis(500));
        assertThat(SettingsReader.parseDuration("k", " 2S ")).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void a_malformed_duration_names_the_key_the_value_and_the_accepted_forms() {
        for (String bad : List.of("soon", "30", "2 s", "30sec", "-5s", "PT", "1d")) {
            assertThatThrownBy(
                            () -> SettingsReader.of(Map.of("dedup.lease", bad)).duration("dedup.lease"))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("dedup.lease")
                    .hasMessageContaining(bad)
                    .hasMessageContaining(SettingsReader.DURATION_FORMS);
        }
    }

    @Test
    void booleans_are_true_or_false_and_nothing_else() {
        assertThat(SettingsReader.of(Map.of("a", "TRUE", "b", "false")).flag("a"))
                .contains(true);
        assertThat(SettingsReader.of(Map.of("a", "TRUE", "b", "false")).flag("b"))
                .contains(false);
        for (String bad : List.of("yes", "1", "on", "ture")) {
            assertThatThrownBy(() -> SettingsReader.of(Map.of("dedup.x", bad)).flag("dedup.x"))
                    .as(bad)
                    .hasMessageContaining("dedup.x")
                    .hasMessageContaining("true or false");
        }
    }

    @Test
    void enumerations_take_any_case_and_dashes() {
        assertThat(SettingsReader.of(Map.of("p", "mark-failed")).choice("p", FailurePolicy.class))
                .contains(FailurePolicy.MARK_FAILED);
        assertThatThrownBy(() -> SettingsReader.of(Map.of("p", "drop")).choice("p", FailurePolicy.class))
                .hasMessageContaining("p=drop")
                .hasMessageContaining("MARK_FAILED, RELEASE");
    }

    @Test
    void an_unknown_key_is_reported_with_the_nearest_known_one() {
        SettingsReader reader = SettingsReader.of(Map.of("dedup.leese", "30s", "other.key", "x"));
        assertThatThrownBy(() -> reader.rejectUnknown("dedup.", List.of("dedup.lease", "dedup.retention"), k -> false))
                .hasMessage("unknown setting dedup.leese: did you mean dedup.lease?");
        assertThatThrownBy(() -> SettingsReader.of(Map.of("dedup.zzzzzzzz", "1"))
                        .rejectUnknown("dedup.", List.of("dedup.lease"), k -> false))
                .hasMessage("unknown setting dedup.zzzzzzzz");
        SettingsReader.of(Map.of("dedup.topic.a.key", "x", "dedup.lease", "1s"))
                .rejectUnknown("dedup.", List.of("dedup.lease"), key -> key.startsWith("dedup.topic."));
    }

    @Test
    void blank_values_are_unset_and_values_are_trimmed() {
        Map<String, Object> map = new HashMap<>();
        map.put("a", "  ");
        map.put("b", " v ");
        map.put("c", null);
        SettingsReader reader = SettingsReader.of(map);
        assertThat(reader.text("a")).isEmpty();
        assertThat(reader.text("b")).contains("v");
        assertThat(reader.text("c")).isEmpty();
    }

    @Test
    void system_properties_come_first_then_a_fallback() {
        String key = "dedup.test." + UUID.randomUUID();
        System.setProperty(key, "from-system");
        try {
            assertThat(SettingsReader.fromEnvironment().text(key)).contains("from-system");
            SettingsReader layered = SettingsReader.of(Map.of("own", "1")).orElse(SettingsReader.fromEnvironment());
            assertThat(layered.text("own")).contains("1");
            assertThat(layered.text(key)).contains("from-system");
            assertThat(layered.names("dedup."))
                    .as("only the map's own keys are listed")
                    .isEmpty();
        } finally {
            System.clearProperty(key);
        }
    }

    @Test
    void store_settings_report_malformed_values_as_configuration_errors() {
        StoreSettings settings = StoreSettings.of(Map.of("dedup.s.timeout", "2s", "dedup.s.flag", "yes"));
        assertThat(settings.duration("dedup.s.timeout")).contains(Duration.ofSeconds(2));
        assertThatThrownBy(() -> settings.flag("dedup.s.flag"))
                .isInstanceOf(DedupConfigurationException.class)
                .hasMessageContaining("dedup.s.flag=yes");
    }
}
