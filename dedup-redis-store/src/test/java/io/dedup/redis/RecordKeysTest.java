package io.dedup.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.dedup.DedupKey;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecordKeysTest {
    private final RecordKeys keys = new RecordKeys("dedup:");

    @Test
    void the_bytes_are_the_utf8_of_the_name_whichever_namespace_came_before() {
        List<DedupKey> sequence = List.of(
                DedupKey.of("orders", "order-42"),
                DedupKey.of("orders", "Bestellung-\u00fc-\u20ac-\ud83d\ude00"),
                DedupKey.of("a:b%c", "order-42"),
                DedupKey.of("orders", "order-42"),
                DedupKey.ofBytes("orders", new byte[] {(byte) 0xff, 0, 1}),
                DedupKey.of("\u00e9v\u00e9nements", "x"));
        for (DedupKey key : sequence) {
            assertThat(keys.bytes(key)).as("%s", key).isEqualTo(keys.of(key).getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    void namespaces_are_escaped_so_no_two_keys_share_a_name() {
        assertThat(keys.of(DedupKey.of("a:b", "c"))).isEqualTo("dedup:a%3Ab:c");
        assertThat(keys.of(DedupKey.of("a", "b:c"))).isEqualTo("dedup:a:b:c");
        assertThat(keys.of(DedupKey.of("50%", "x"))).isEqualTo("dedup:50%25:x");
    }
}
