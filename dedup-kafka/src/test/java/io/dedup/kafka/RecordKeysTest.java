package io.dedup.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dedup.DedupConsumer;
import io.dedup.IdempotencyKeyMissingException;
import io.dedup.IdempotencyKeyUnreadableException;
import io.dedup.KeyExtractor;
import io.dedup.MessageHandler;
import io.dedup.RawKey;
import io.dedup.memory.InMemoryDedupStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class RecordKeysTest {
    private static ConsumerRecord<Object, Object> rec(Object key, Object value, String... headers) {
        RecordHeaders h = new RecordHeaders();
        for (int i = 0; i < headers.length; i += 2) {
            h.add(headers[i], headers[i + 1] == null ? null : headers[i + 1].getBytes(StandardCharsets.UTF_8));
        }
        return new ConsumerRecord<>("t", 0, 7, 0L, TimestampType.CREATE_TIME, -1, -1, key, value, h, Optional.empty());
    }

    @Test
    void header_reads_the_idempotency_key_header_and_its_last_occurrence() {
        assertThat(RecordKeys.header().extract(rec(null, "v", "idempotency-key", "a", "idempotency-key", "b")))
                .contains("b");
        assertThat(RecordKeys.header("event-id").extract(rec(null, "v", "event-id", "e1")))
                .contains("e1");
    }

    @Test
    void absent_or_empty_header_has_no_key() {
        assertThat(RecordKeys.header().extract(rec(null, "v"))).isEmpty();
        assertThat(RecordKeys.header().extract(rec(null, "v", "idempotency-key", "")))
                .isEmpty();
        assertThat(RecordKeys.header().extract(rec(null, "v", "idempotency-key", null)))
                .isEmpty();
    }

    @Test
    void a_binary_header_or_record_key_is_a_binary_key_not_text() {
        byte[] binary = {(byte) 0xff, (byte) 0xfe, 0x01};
        RecordHeaders h = new RecordHeaders();
        h.add("idempotency-key", binary);
        ConsumerRecord<Object, Object> r = new ConsumerRecord<>(
                "t", 0, 0, 0L, TimestampType.CREATE_TIME, -1, -1, binary, "v", h, Optional.empty());
        assertThat(RecordKeys.header().extractRaw(r)).contains(RawKey.ofBytes(binary));
        assertThat(RecordKeys.header().extractRaw(r).orElseThrow().isBinary()).isTrue();
        assertThat(RecordKeys.recordKey().extractRaw(r)).contains(RawKey.ofBytes(binary));
        assertThat(RecordKeys.chain(RecordKeys.header("absent"), RecordKeys.header())
                        .extractRaw(r))
                .as("a chain keeps the binary key binary")
                .contains(RawKey.ofBytes(binary));
        assertThat(RecordKeys.header().extract(r)).contains("#bin:__4B");
        assertThat(RecordKeys.header().extractRaw(rec(null, "v", "idempotency-key", "base64:__4B")))
                .contains(RawKey.of("base64:__4B"));
    }

    @Test
    void record_key_reads_text_bytes_and_other_types() {
        assertThat(RecordKeys.recordKey().extract(rec("order-1", "v"))).contains("order-1");
        assertThat(RecordKeys.recordKey().extract(rec("order-2".getBytes(StandardCharsets.UTF_8), "v")))
                .contains("order-2");
        assertThat(RecordKeys.recordKey().extract(rec(42L, "v"))).contains("42");
        assertThat(RecordKeys.recordKey().extract(rec(null, "v"))).isEmpty();
    }

    @Test
    void json_pointer_reads_a_field_of_text_or_byte_values() {
        assertThat(RecordKeys.jsonPointer("/payment/id").extract(rec(null, "{\"payment\":{\"id\":\"p-9\"}}")))
                .contains("p-9");
        assertThat(RecordKeys.jsonPointer("/id").extract(rec(null, "{\"id\":5}".getBytes(StandardCharsets.UTF_8))))
                .contains("5");
        assertThat(RecordKeys.jsonPointer("/id").extract(rec(null, "{\"other\":1}")))
                .isEmpty();
    }

    @Test
    void json_pointer_over_malformed_json_or_a_foreign_type_is_unreadable() {
        assertThatThrownBy(() -> RecordKeys.jsonPointer("/id").extract(rec(null, "{not json")))
                .isInstanceOf(IdempotencyKeyUnreadableException.class);
        assertThatThrownBy(() -> RecordKeys.jsonPointer("/id").extract(rec(null, List.of(1))))
                .isInstanceOf(IdempotencyKeyUnreadableException.class)
                .hasMessageContaining("not bytes or text");
    }

    @Test
    void content_hash_makes_identical_payloads_the_same_key() {
        KeyExtractor<ConsumerRecord<?, ?>> hash = RecordKeys.contentHash("type");
        String a = hash.extract(rec(null, "payload", "type", "x")).orElseThrow();
        assertThat(hash.extract(rec(null, "payload", "type", "x"))).contains(a);
        assertThat(hash.extract(rec(null, "payload", "type", "y")).orElseThrow())
                .isNotEqualTo(a);
        assertThat(hash.extract(rec(null, null))).isEmpty();
    }

    @Test
    void chain_takes_the_first_key_found() {
        KeyExtractor<ConsumerRecord<?, ?>> chain = RecordKeys.chain(RecordKeys.header(), RecordKeys.recordKey());
        assertThat(chain.extract(rec("rk", "v", "idempotency-key", "hk"))).contains("hk");
        assertThat(chain.extract(rec("rk", "v"))).contains("rk");
        assertThat(chain.extract(rec(null, "v"))).isEmpty();
    }

    @Test
    void parse_reads_the_text_form_of_every_source() {
        ConsumerRecord<Object, Object> r = rec("rk", "{\"id\":\"j\"}", "event-id", "e", "idempotency-key", "h");
        assertThat(RecordKeys.parse("header").extract(r)).contains("h");
        assertThat(RecordKeys.parse("header:event-id").extract(r)).contains("e");
        assertThat(RecordKeys.parse("record-key").extract(r)).contains("rk");
        assertThat(RecordKeys.parse("json-pointer:/id").extract(r)).contains("j");
        assertThat(RecordKeys.parse("content-hash").extract(r)).isPresent();
        assertThat(RecordKeys.parse("content-hash:event-id+other").extract(r)).isPresent();
        assertThat(RecordKeys.parse(" header:missing , json-pointer:/id ").extract(r))
                .contains("j");
    }

    @Test
    void parse_rejects_unknown_sources_with_the_spec_in_the_message() {
        assertThatThrownBy(() -> RecordKeys.parse("headr"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"headr\"")
                .hasMessageContaining("accepted: header, header:NAME, json-pointer:/POINTER")
                .hasMessageContaining("record-key");
        assertThatThrownBy(() -> RecordKeys.parse("json-pointer")).hasMessageContaining("needs a pointer");
        assertThatThrownBy(() -> RecordKeys.parse("record-key:x")).hasMessageContaining("takes no argument");
        assertThatThrownBy(() -> RecordKeys.parse("json-pointer:id")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void core_wrap_finds_the_header_of_a_consumer_record_through_the_service_provider() throws Exception {
        List<String> handled = new ArrayList<>();
        try (DedupConsumer<ConsumerRecord<String, String>> dedup =
                DedupConsumer.<ConsumerRecord<String, String>>builder()
                        .store(InMemoryDedupStore.create())
                        .build()) {
            MessageHandler<ConsumerRecord<String, String>> safe = dedup.decorate(r -> handled.add(r.value()));
            safe.handle(Records.record("t", 0, 0, "a", "first"));
            safe.handle(Records.record("t", 0, 1, "a", "again"));
            assertThatThrownBy(() -> safe.handle(Records.record("t", 0, 2, null, "no key")))
                    .isInstanceOf(IdempotencyKeyMissingException.class);
        }
        assertThat(handled).containsExactly("first");
    }

    @Test
    void the_discovered_header_extractor_keeps_a_binary_header_binary() {
        RecordHeaders h = new RecordHeaders();
        h.add("idempotency-key", new byte[] {(byte) 0xff});
        ConsumerRecord<Object, Object> binary =
                new ConsumerRecord<>("t", 0, 0, 0L, TimestampType.CREATE_TIME, -1, -1, null, "v", h, Optional.empty());
        try (DedupConsumer<ConsumerRecord<Object, Object>> dedup =
                DedupConsumer.<ConsumerRecord<Object, Object>>builder()
                        .store(InMemoryDedupStore.create())
                        .build()) {
            assertThat(dedup.keyOf(binary).id()).isEqualTo("#bin:_w");
            assertThat(dedup.keyOf(rec(null, "v", "idempotency-key", "base64:_w"))
                            .id())
                    .isEqualTo("base64:_w");
        }
    }
}
