package io.dedup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class KeyExtractorTest {
    record Message(byte[] body, Map<String, byte[]> headers) {
        static Message json(String json) {
            return new Message(json.getBytes(StandardCharsets.UTF_8), Map.of());
        }
    }

    private static final KeyExtractor<Message> PAYMENT_ID = KeyExtractor.jsonPointer(Message::body, "/payment/id");

    @Test
    void json_pointer_reads_strings_and_numbers() {
        assertThat(PAYMENT_ID.extract(Message.json("{\"payment\":{\"id\":\"p-1\"}}")))
                .contains("p-1");
        assertThat(PAYMENT_ID.extract(Message.json("{\"payment\":{\"id\":42}}")))
                .contains("42");
    }

    @Test
    void json_pointer_finds_no_key_in_a_missing_or_null_node() {
        assertThat(PAYMENT_ID.extract(Message.json("{\"payment\":{}}"))).isEmpty();
        assertThat(PAYMENT_ID.extract(Message.json("{\"payment\":{\"id\":null}}")))
                .isEmpty();
        assertThat(PAYMENT_ID.extract(new Message(null, Map.of()))).isEmpty();
    }

    @Test
    void malformed_json_is_a_typed_error_naming_the_pointer() {
        assertThatThrownBy(() -> PAYMENT_ID.extract(Message.json("{\"payment\": {\"id\": ")))
                .isInstanceOf(IdempotencyKeyUnreadableException.class)
                .hasMessageContaining("/payment/id")
                .hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> PAYMENT_ID.extract(Message.json("")))
                .isInstanceOf(IdempotencyKeyUnreadableException.class)
                .hasMessageContaining("/payment/id")
                .hasMessageContaining("empty");
        assertThatThrownBy(() -> PAYMENT_ID.extract(Message.json("{\"payment\":{\"id\":\"p\"}} trailing")))
                .isInstanceOf(IdempotencyKeyUnreadableException.class);
    }

    @Test
    void an_object_or_array_at_the_pointer_is_unreadable() {
        assertThatThrownBy(() -> PAYMENT_ID.extract(Message.json("{\"payment\":{\"id\":{\"a\":1}}}")))
                .isInstanceOf(IdempotencyKeyUnreadableException.class)
                .hasMessageContaining("object");
        assertThatThrownBy(() -> PAYMENT_ID.extract(Message.json("{\"payment\":{\"id\":[1]}}")))
                .isInstanceOf(IdempotencyKeyUnreadableException.class)
                .hasMessageContaining("array");
    }

    @Test
    void an_invalid_pointer_is_refused_when_configured() {
        assertThatThrownBy(() -> KeyExtractor.jsonPointer(Message::body, "payment/id"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("payment/id");
        assertThatThrownBy(() -> KeyExtractor.jsonPointer(Message::body, ""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("whole document");
    }

    @Test
    void the_content_hash_is_stable_and_tells_payloads_apart() {
        KeyExtractor<Message> hash = KeyExtractor.contentHash(Message::body);
        String a = hash.extract(Message.json("a")).orElseThrow();
        assertThat(hash.extract(Message.json("a"))).contains(a);
        assertThat(hash.extract(Message.json("b")).orElseThrow()).isNotEqualTo(a);
        assertThat(a).hasSize(43).matches("[A-Za-z0-9_-]+");
        assertThat(hash.extract(new Message(null, Map.of()))).isEmpty();
    }

    @Test
    void the_content_hash_covers_chosen_headers_and_tells_absent_from_empty() {
        KeyExtractor<Message> hash =
                KeyExtractor.contentHash(Message::body, (m, name) -> m.headers().get(name), "tenant");
        byte[] body = {1, 2};
        String none = hash.extract(new Message(body, Map.of())).orElseThrow();
        String empty =
                hash.extract(new Message(body, Map.of("tenant", new byte[0]))).orElseThrow();
        String t1 = hash.extract(new Message(body, Map.of("tenant", new byte[] {1})))
                .orElseThrow();
        String other =
                hash.extract(new Message(body, Map.of("other", new byte[] {1}))).orElseThrow();
        assertThat(none).isNotEqualTo(empty).isNotEqualTo(t1).isEqualTo(other);
        assertThat(empty).isNotEqualTo(t1);
    }

    @Test
    void orElse_falls_back_only_when_the_key_is_missing_or_empty() {
        KeyExtractor<Message> chain = PAYMENT_ID.orElse(KeyExtractor.contentHash(Message::body));
        assertThat(chain.extract(Message.json("{\"payment\":{\"id\":\"p-1\"}}")))
                .contains("p-1");
        assertThat(chain.extract(Message.json("{\"payment\":{\"id\":\"\"}}")).orElseThrow())
                .hasSize(43);
        assertThat(chain.extract(Message.json("{}")).orElseThrow()).hasSize(43);
        assertThatThrownBy(() -> chain.extract(Message.json("{")))
                .as("a malformed body is an error, not a reason to fall back")
                .isInstanceOf(IdempotencyKeyUnreadableException.class);
    }

    @Test
    void prefix_and_compose_build_keys_from_parts() {
        KeyExtractor<Message> tenant =
                m -> Optional.ofNullable(m.headers().get("tenant")).map(b -> new String(b, StandardCharsets.UTF_8));
        KeyExtractor<Message> composed = KeyExtractor.compose(":", KeyExtractor.constant("pay"), tenant, PAYMENT_ID);
        Message m = new Message(
                "{\"payment\":{\"id\":\"7\"}}".getBytes(StandardCharsets.UTF_8),
                Map.of("tenant", "acme".getBytes(StandardCharsets.UTF_8)));
        assertThat(composed.extract(m)).contains("pay:acme:7");
        assertThat(composed.extract(Message.json("{\"payment\":{\"id\":\"7\"}}")))
                .isEmpty();
        assertThat(PAYMENT_ID.withPrefix("v2-").extract(m)).contains("v2-7");
        assertThatThrownBy(() -> KeyExtractor.<Message>compose(":")).hasMessageContaining("at least one");
    }
}
