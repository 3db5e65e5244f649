package io.dedup.bench.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dedup.bench.e2e.Workload.Duplicates;
import io.dedup.bench.e2e.Workload.HandlerKind;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WorkloadTest {
    @Test
    void without_duplicates_every_record_has_its_own_key() {
        Workload workload = new Workload(Duplicates.NONE, HandlerKind.NOOP, 1000);

        assertThat(new HashSet<>(Arrays.asList(workload.keys()))).hasSize(1000);
        assertThat(workload.uniqueKeys()).isEqualTo(1000);
        assertThat(workload.name()).isEqualTo("dup0-noop");
    }

    @Test
    void twenty_percent_are_repeats_of_earlier_keys_spread_over_the_whole_topic() {
        Workload workload = new Workload(Duplicates.TWENTY_PERCENT, HandlerKind.POSTGRES_ROW, 10_000);
        String[] keys = workload.keys();

        Set<String> seen = new HashSet<>();
        int repeats = 0;
        int repeatsInLastTenth = 0;
        for (int i = 0; i < keys.length; i++) {
            if (!seen.add(keys[i])) {
                repeats++;
                if (i >= 9_000) {
                    repeatsInLastTenth++;
                }
            }
        }
        assertThat(repeats).isEqualTo(2_000);
        assertThat(seen).hasSize(workload.uniqueKeys()).hasSize(8_000);
        assertThat(repeatsInLastTenth).isBetween(100, 300);
        assertThat(workload.name()).isEqualTo("dup20-pg");
    }

    @Test
    void the_same_workload_always_has_the_same_keys() {
        Workload workload = new Workload(Duplicates.TWENTY_PERCENT, HandlerKind.NOOP, 5_000);

        assertThat(workload.keys()).containsExactly(workload.keys());
    }

    @Test
    void a_replay_storm_delivers_the_first_half_again() {
        Workload workload = new Workload(Duplicates.REPLAY, HandlerKind.NOOP, 1000);
        String[] keys = workload.keys();

        assertThat(Arrays.copyOfRange(keys, 500, 1000)).containsExactly(Arrays.copyOfRange(keys, 0, 500));
        assertThat(new HashSet<>(Arrays.asList(keys))).hasSize(500);
        assertThat(workload.uniqueKeys()).isEqualTo(500);
    }

    @Test
    void a_smaller_topic_keeps_the_shape() {
        Workload workload = new Workload(Duplicates.REPLAY, HandlerKind.NOOP, 1000);

        assertThat(workload.atMost(400)).isEqualTo(new Workload(Duplicates.REPLAY, HandlerKind.NOOP, 400));
        assertThat(workload.atMost(5000)).isSameAs(workload);
    }

    @Test
    void rejects_a_topic_too_small_to_repeat_anything() {
        assertThatThrownBy(() -> new Workload(Duplicates.NONE, HandlerKind.NOOP, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("messages");
    }
}
