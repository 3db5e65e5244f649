package io.dedup.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Delivery;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.impl.LongStringHelper;
import io.dedup.IdempotencyKeyUnreadableException;
import io.dedup.KeyExtractor;
import io.dedup.RawKey;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RabbitKeysTest {
    private static Delivery delivery(String messageId, Map<String, Object> headers, String body) {
        return new Delivery(
                new Envelope(1, false, "", "q"),
                new AMQP.BasicProperties.Builder()
                        .messageId(messageId)
                        .headers(headers)
                        .build(),
                body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void the_message_id_is_the_default_key() {
        assertThat(RabbitKeys.messageId().extract(delivery("m-1", null, ""))).contains("m-1");
        assertThat(RabbitKeys.messageId().extract(delivery(null, null, ""))).isEmpty();
    }

    @Test
    void a_header_is_read_as_text_whatever_its_amqp_string_or_integer_type() {
        Map<String, Object> headers = new HashMap<>();
        headers.put("idempotency-key", LongStringHelper.asLongString("k-1"));
        headers.put("n", 42L);
        headers.put("raw", "k-2".getBytes(StandardCharsets.UTF_8));
        headers.put("binary", new byte[] {(byte) 0xff, 0});
        Delivery d = delivery(null, headers, "");
        assertThat(RabbitKeys.header().extract(d)).contains("k-1");
        assertThat(RabbitKeys.header("n").extract(d)).contains("42");
        assertThat(RabbitKeys.header("raw").extract(d)).contains("k-2");
        assertThat(RabbitKeys.header("absent").extract(d)).isEmpty();
    }

    @Test
    void a_header_of_bytes_that_are_not_utf8_is_a_binary_key_not_text() {
        Map<String, Object> headers = new HashMap<>();
        headers.put("binary", new byte[] {(byte) 0xff, 0});
        headers.put("long-string", LongStringHelper.asLongString(new byte[] {(byte) 0xff, 0}));
        headers.put("lookalike", "base64:_wA");
        Delivery d = delivery(null, headers, "");
        assertThat(RabbitKeys.header("binary").extractRaw(d)).contains(RawKey.ofBytes(new byte[] {(byte) 0xff, 0}));
        assertThat(RabbitKeys.header("binary").extractRaw(d).orElseThrow().isBinary())
                .isTrue();
        assertThat(RabbitKeys.header("long-string").extractRaw(d))
                .as("an AMQP long string that is not UTF-8 is bytes too, not text with replacement characters")
                .isEqualTo(RabbitKeys.header("binary").extractRaw(d));
        assertThat(RabbitKeys.header("lookalike").extractRaw(d)).contains(RawKey.of("base64:_wA"));
        assertThat(RabbitKeys.header("binary").extract(d)).contains("#bin:_wA");
    }

    @Test
    void a_header_of_another_type_is_unreadable() {
        Delivery d = delivery(null, Map.of("idempotency-key", List.of("a")), "");
        assertThatThrownBy(() -> RabbitKeys.header().extract(d))
                .isInstanceOf(IdempotencyKeyUnreadableException.class)
                .hasMessageContaining("idempotency-key");
    }

    @Test
    void a_json_pointer_reads_a_field_of_the_body() {
        Delivery d = delivery(null, null, "{\"order\":{\"id\":17}}");
        assertThat(RabbitKeys.jsonPointer("/order/id").extract(d)).contains("17");
    }

    @Test
    void the_content_hash_makes_identical_bodies_the_same_key() {
        Optional<String> a = RabbitKeys.contentHash().extract(delivery("x", null, "same"));
        Optional<String> b = RabbitKeys.contentHash().extract(delivery("y", null, "same"));
        assertThat(a).isPresent().isEqualTo(b);
    }

    @Test
    void a_specification_chains_sources_in_order() {
        KeyExtractor<Delivery> keys = RabbitKeys.parse("header:order-key, message-id, content-hash");
        assertThat(keys.extract(delivery("m", Map.of("order-key", "h"), "b"))).contains("h");
        assertThat(keys.extract(delivery("m", null, "b"))).contains("m");
        assertThat(keys.extract(delivery(null, null, "b")).orElseThrow()).hasSize(43);
        assertThat(RabbitKeys.parse("json:/id").extract(delivery(null, null, "{\"id\":\"j\"}")))
                .contains("j");
        assertThat(RabbitKeys.parse("header").extract(delivery(null, Map.of("idempotency-key", "i"), "")))
                .contains("i");
    }

    @Test
    void an_unknown_source_is_refused_with_the_choices() {
        assertThatThrownBy(() -> RabbitKeys.parse("message-id,routing-key"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"message-id,routing-key\"")
                .hasMessageContaining("unknown key source 'routing-key'")
                .hasMessageContaining("content-hash")
                .hasMessageContaining("message-id");
        assertThatThrownBy(() -> RabbitKeys.parse(" , ")).isInstanceOf(IllegalArgumentException.class);
    }
}
