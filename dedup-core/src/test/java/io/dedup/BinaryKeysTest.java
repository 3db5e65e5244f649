package io.dedup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dedup.memory.InMemoryDedupStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Binary keys reach the store as bytes (DESIGN §8): never the same stored key as a text key. */
class BinaryKeysTest {
    /** A message whose key place holds bytes (like a Kafka header) or, in {@code text}, a string. */
    record Message(byte[] header, String text) {
        static Message bytes(int... values) {
            byte[] bytes = new byte[values.length];
            for (int i = 0; i < values.length; i++) {
                bytes[i] = (byte) values[i];
            }
            return new Message(bytes, null);
        }

        static Message text(String text) {
            return new Message(null, text);
        }
    }

    /** What an adapter's header extractor does: bytes as a raw key, text as text. */
    private static final KeyExtractor<Message> HEADER = KeyExtractor.ofRaw(m -> m.header() != null
            ? Optional.of(RawKey.ofBytes(m.header()))
            : Optional.ofNullable(m.text()).map(RawKey::of));

    private static DedupConsumer<Message> consumer(KeyExtractor<Message> keys) {
        return DedupConsumer.builder(keys)
                .store(InMemoryDedupStore.create())
                .namespace("bin")
                .build();
    }

    @Test
    void a_binary_key_and_the_text_that_spelled_it_before_are_two_keys() throws Exception {
        List<Message> handled = new ArrayList<>();
        try (DedupConsumer<Message> dedup = consumer(HEADER)) {
            MessageHandler<Message> safe = dedup.decorate(handled::add);
            Message binary = Message.bytes(0xFF);
            Message text = Message.text("base64:_w"); // what the adapters used to make of 0xFF
            safe.handle(binary);
            safe.handle(text);
            safe.handle(Message.bytes(0xFF));

            assertThat(handled).containsExactly(binary, text);
            assertThat(dedup.keyOf(binary).id()).isEqualTo("#bin:_w");
            assertThat(dedup.keyOf(text).id()).isEqualTo("base64:_w");
            assertThat(dedup.keyOf(Message.text("#bin:_w")))
                    .as("a text spelling the binary key's stored form is digested")
                    .isNotEqualTo(dedup.keyOf(binary));
        }
    }

    @Test
    void utf8_bytes_keep_the_stored_key_of_their_text() {
        try (DedupConsumer<Message> dedup = consumer(HEADER)) {
            Message bytes = new Message("order-1".getBytes(StandardCharsets.UTF_8), null);
            assertThat(dedup.keyOf(bytes)).isEqualTo(dedup.keyOf(Message.text("order-1")));
            assertThat(dedup.keyOf(bytes).id()).isEqualTo("order-1");
        }
    }

    @Test
    void digest_all_keys_keeps_binary_and_text_apart() {
        try (DedupConsumer<Message> dedup = DedupConsumer.builder(HEADER)
                .store(InMemoryDedupStore.create())
                .settings(DedupSettings.custom().digestAllKeys(true).build())
                .build()) {
            DedupKey binary = dedup.keyOf(Message.bytes(0xFF));
            assertThat(binary.id()).startsWith("#sha256-bin:");
            assertThat(binary).isNotEqualTo(dedup.keyOf(Message.text("base64:_w")));
            assertThat(binary).isNotEqualTo(dedup.keyOf(Message.text("#bin:_w")));
        }
    }

    @Test
    void or_else_and_prefix_keep_a_binary_key_binary() {
        KeyExtractor<Message> none = m -> Optional.empty();
        try (DedupConsumer<Message> dedup = consumer(none.orElse(HEADER).withPrefix("v2-"))) {
            DedupKey key = dedup.keyOf(Message.bytes(0xFF));
            assertThat(key.id())
                    .isEqualTo(DedupKey.ofBytes("bin", new byte[] {'v', '2', '-', (byte) 0xFF})
                            .id());
            assertThat(key.id()).startsWith("#bin:");
            assertThat(key).isNotEqualTo(dedup.keyOf(Message.text("v2-base64:_w")));
            assertThat(dedup.keyOf(Message.text("k")).id()).isEqualTo("v2-k");
        }
    }

    @Test
    void compose_of_text_parts_is_their_joined_text_as_before() {
        KeyExtractor<Message> keys = KeyExtractor.compose(":", KeyExtractor.constant("pay"), HEADER);
        assertThat(keys.extractRaw(Message.text("7"))).contains(RawKey.of("pay:7"));
        assertThat(keys.extractRaw(new Message("7".getBytes(StandardCharsets.UTF_8), null)))
                .contains(RawKey.of("pay:7"));
    }

    @Test
    void compose_with_a_binary_part_is_binary_and_unambiguous() {
        KeyExtractor<Message> keys = KeyExtractor.compose(":", HEADER, KeyExtractor.constant("x"));
        RawKey binary = keys.extractRaw(Message.bytes(0xFF)).orElseThrow();
        RawKey text = keys.extractRaw(Message.text("base64:_w")).orElseThrow();
        RawKey hashText = keys.extractRaw(Message.text("#bin:_w")).orElseThrow();

        assertThat(binary.isBinary()).isTrue();
        assertThat(binary).isNotEqualTo(text).isNotEqualTo(hashText);
        assertThat(DedupKey.ofBytes("ns", binary.bytes())).isNotEqualTo(DedupKey.of("ns", text.text()));
        assertThat(DedupKey.ofBytes("ns", binary.bytes())).isNotEqualTo(DedupKey.of("ns", hashText.text()));
        // where one part ends and the next begins is part of the key: {FF}+":"+"x" is not {FF,':'}+"" etc.
        KeyExtractor<Message> twoBinary = KeyExtractor.compose("", HEADER, HEADER);
        assertThat(twoBinary.extractRaw(Message.bytes(0xC3)))
                .as("two halves of one UTF-8 character are not that character")
                .isNotEqualTo(Optional.of(RawKey.of("é")));
        assertThat(KeyExtractor.compose(":", HEADER, KeyExtractor.constant("a:b"))
                        .extractRaw(Message.bytes(0xFF)))
                .isNotEqualTo(KeyExtractor.compose(
                                ":",
                                KeyExtractor.<Message>ofRaw(
                                        m -> Optional.of(RawKey.ofBytes(new byte[] {(byte) 0xFF, ':', 'a'}))),
                                KeyExtractor.constant("b"))
                        .extractRaw(Message.bytes(0xFF)));
    }

    @Test
    void a_binary_key_reads_as_its_display_form_through_extract() {
        assertThat(HEADER.extract(Message.bytes(0xFF))).contains("#bin:_w");
        assertThat(HEADER.extract(Message.text("t"))).contains("t");
    }

    @Test
    void raw_keys_say_what_they_are() {
        RawKey binary = RawKey.ofBytes(new byte[] {(byte) 0xFF});
        assertThat(binary.isBinary()).isTrue();
        assertThat(binary.isEmpty()).isFalse();
        assertThatThrownBy(binary::text).isInstanceOf(IllegalStateException.class);
        assertThat(RawKey.ofBytes(new byte[0]).isEmpty()).isTrue();
        assertThat(RawKey.ofBytes("é".getBytes(StandardCharsets.UTF_8))).isEqualTo(RawKey.of("é"));
        assertThatThrownBy(RawKey.of("t")::bytes).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> RawKey.ofBytes(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> KeyExtractor.ofRaw(null)).isInstanceOf(NullPointerException.class);
    }
}
