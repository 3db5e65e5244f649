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

    @Test
    void stored_forms_of_existing_keys_do_not_change() {
        assertThat(DedupKey.of("ns", "order-1").id()).isEqualTo("order-1");
        assertThat(DedupKey.of("ns", "base64:_w").id()).isEqualTo("base64:_w");
        assertThat(DedupKey.of("ns", "x".repeat(200)).id())
                .isEqualTo("#sha256:qiDCPjIBg0BQZ54diJQbmm_tBVfJpwXLLDFeLmP9SG0");
        assertThat(DedupKey.digestOf("ns", "x".repeat(200))).isEqualTo(DedupKey.of("ns", "x".repeat(200)));
    }

    @Test
    void a_binary_key_collides_with_no_text_key() {
        DedupKey binary = DedupKey.ofBytes("ns", new byte[] {(byte) 0xFF});

        assertThat(binary.id()).isEqualTo("#bin:_w");
        assertThat(binary).isNotEqualTo(DedupKey.of("ns", "base64:_w"));
        assertThat(binary).isNotEqualTo(DedupKey.of("ns", "#bin:_w")); // that text is digested
        assertThat(DedupKey.of("ns", "#bin:_w").isDigest()).isTrue();
        assertThat(DedupKey.ofBytes("ns", "order-1".getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .isEqualTo(DedupKey.of("ns", "order-1"));
    }

    @Test
    void long_binary_keys_and_text_digests_live_in_different_spaces() {
        byte[] bytes = new byte[200];
        java.util.Arrays.fill(bytes, (byte) 0xFE);
        DedupKey binary = DedupKey.ofBytes("ns", bytes);

        assertThat(binary.id()).startsWith("#sha256-bin:");
        assertThat(binary.isDigest()).isTrue();
        assertThat(DedupKey.digestOfBytes("ns", new byte[] {(byte) 0xFF}).id()).startsWith("#sha256-bin:");
        assertThat(DedupKey.of("ns", binary.id())).isNotEqualTo(binary);
        assertThat(DedupKey.of("ns", "#sha256-bin:x").isDigest()).isTrue();
    }

    @Test
    void keys_that_are_not_valid_utf16_are_digested_apart_from_the_text_drivers_would_write() {
        DedupKey high = DedupKey.of("ns", "a\uD800");
        DedupKey other = DedupKey.of("ns", "a\uDBFF");
        DedupKey question = DedupKey.of("ns", "a?");

        assertThat(high.id()).startsWith("#sha256-utf16:");
        assertThat(java.util.Set.of(high, other, question)).hasSize(3);
        assertThat(DedupKey.digestOf("ns", "a\uD800")).isEqualTo(high);
        assertThat(DedupKey.of("ns", "\uDC00b")).isNotEqualTo(DedupKey.of("ns", "?b"));
        assertThat(DedupKey.of("ns", "\uD83D\uDCB8").id()).isEqualTo("\uD83D\uDCB8"); // a valid pair stays raw
    }

    @Test
    void stored_keys_that_are_not_valid_utf16_are_refused_by_name() {
        assertThatThrownBy(() -> new DedupKey("ns", "a\uD800")).hasMessageContaining("DedupKey.of");
        assertThatThrownBy(() -> DedupKey.of("ns\uDC00", "k")).hasMessageContaining("namespace");
    }
}
