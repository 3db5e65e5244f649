package io.dedup.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link KeyDigests#utf8} tells text from binary keys exactly as the strict UTF-8 decoder it replaced does: a binary key taken
 * for text, or text taken for binary, would give one message two stored keys (DESIGN §8).
 */
class KeyDigestsUtf8Test {
    @Test
    void agrees_with_a_strict_decoder_on_generated_bytes() {
        long seed = 20261202L;
        Random random = new Random(seed);
        for (int i = 0; i < 200_000; i++) {
            byte[] bytes = generated(random);
            assertThat(KeyDigests.utf8(bytes))
                    .as("seed %d, case %d, bytes %s", seed, i, hex(bytes))
                    .isEqualTo(KeyDigests.strictUtf8(bytes));
        }
    }

    @Test
    void a_real_replacement_character_is_text_and_malformed_bytes_are_not() {
        assertThat(KeyDigests.utf8(new byte[] {(byte) 0xEF, (byte) 0xBF, (byte) 0xBD}))
                .isEqualTo("\uFFFD");
        assertThat(KeyDigests.utf8(new byte[] {'a', (byte) 0xFF})).isNull();
        assertThat(KeyDigests.utf8(new byte[] {(byte) 0xC0, (byte) 0x80}))
                .as("overlong NUL")
                .isNull();
        assertThat(KeyDigests.utf8(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}))
                .as("surrogate")
                .isNull();
        assertThat(KeyDigests.utf8(new byte[] {(byte) 0xE2, (byte) 0x82}))
                .as("truncated")
                .isNull();
        assertThat(KeyDigests.utf8("order-42 é €".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("order-42 é €");
    }

    /** Random bytes, valid UTF-8 of random text (U+FFFD and surrogate pairs included), or valid text with damage. */
    private static byte[] generated(Random random) {
        int kind = random.nextInt(3);
        if (kind == 0) {
            byte[] bytes = new byte[random.nextInt(12)];
            random.nextBytes(bytes);
            return bytes;
        }
        StringBuilder text = new StringBuilder();
        int n = random.nextInt(8);
        for (int i = 0; i < n; i++) {
            switch (random.nextInt(5)) {
                case 0 -> text.append((char) ('a' + random.nextInt(26)));
                case 1 -> text.append('\uFFFD');
                case 2 -> text.appendCodePoint(0x80 + random.nextInt(0x780));
                case 3 -> text.appendCodePoint(0x10000 + random.nextInt(0x1000));
                default -> text.append((char) (0x800 + random.nextInt(0xD000)));
            }
        }
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        if (kind == 2 && bytes.length > 0) {
            bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
        }
        return bytes;
    }

    private static String hex(byte[] bytes) {
        StringBuilder s = new StringBuilder();
        for (byte b : bytes) {
            s.append(String.format("%02x", b & 0xFF));
        }
        return s.toString();
    }
}
