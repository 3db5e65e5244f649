package io.dedup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DedupKeyTest {
    @Test
    void keys_up_to_128_utf8_bytes_are_kept_raw() {
        assertThat(DedupKey.of("ns", "a".repeat(128)).id()).isEqualTo("a".repeat(128));
        assertThat(DedupKey.of("ns", "ü".repeat(64)).isDigest()).isFalse(); // 128 bytes
        assertThat(DedupKey.of("ns", "ü".repeat(65)).isDigest()).isTrue(); // 130 bytes
        assertThat(DedupKey.of("ns", "\uD83D\uDCB8".repeat(32)).isDigest()).isFalse(); // 128 bytes
        assertThat(DedupKey.of("ns", "\uD83D\uDCB8".repeat(33)).isDigest()).isTrue();
    }

    @Test
    void longer_keys_are_stored_as_a_bounded_digest() {
        DedupKey key = DedupKey.of("ns", "a".repeat(129));
        assertThat(key.isDigest()).isTrue();
        assertThat(key.id()).startsWith("#sha256:").hasSize(8 + 43);
        assertThat(DedupKey.of("ns", "a".repeat(129))).isEqualTo(key);
    }

    @Test
    void a_raw_key_that_looks_like_a_digest_is_digested_so_it_cannot_collide() {
        DedupKey digested = DedupKey.of("ns", "a".repeat(129));
        DedupKey impostor = DedupKey.of("ns", digested.id());
        assertThat(impostor).isNotEqualTo(digested);
        assertThat(impostor.isDigest()).isTrue();
    }

    @Test
    void empty_keys_and_bad_namespaces_are_refused_by_name() {
        assertThatThrownBy(() -> DedupKey.of("ns", "")).hasMessageContaining("must not be empty");
        assertThatThrownBy(() -> DedupKey.of("", "k")).hasMessageContaining("namespace");
        assertThatThrownBy(() -> DedupKey.of("n".repeat(201), "k")).hasMessageContaining("namespace");
        assertThatThrownBy(() -> DedupKey.of("ns", null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new DedupKey("ns", "a".repeat(200))).hasMessageContaining("DedupKey.of");
    }
}
