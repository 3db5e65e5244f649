package io.dedup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.jsontype.BasicPolymorphicTypeValidator;
import org.junit.jupiter.api.Test;

class OutcomeCodecsTest {
    public record Receipt(String id, long cents) {}

    @Test
    void json_round_trips_a_typed_result() {
        OutcomeCodec<Receipt> codec = OutcomeCodecs.json(Receipt.class);
        byte[] bytes = codec.encode(new Receipt("r-1", 1250));
        assertThat(new String(bytes, java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo("{\"id\":\"r-1\",\"cents\":1250}");
        assertThat(codec.decode(bytes)).isEqualTo(new Receipt("r-1", 1250));
        assertThat(codec.encode(null)).isEmpty();
        assertThat(codec.decode(new byte[0])).isNull();
    }

    @Test
    void a_mapper_with_default_typing_is_refused() {
        ObjectMapper unsafe = new ObjectMapper()
                .activateDefaultTyping(BasicPolymorphicTypeValidator.builder()
                        .allowIfBaseType(Object.class)
                        .build());
        assertThatThrownBy(() -> OutcomeCodecs.json(unsafe, Receipt.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("default typing");
    }

    @Test
    void undecodable_bytes_are_an_error_naming_the_type() {
        assertThatThrownBy(() -> OutcomeCodecs.json(Receipt.class).decode(new byte[] {'{'}))
                .hasMessageContaining(Receipt.class.getName());
    }

    @Test
    void bytes_and_utf8_codecs_map_null_to_empty() {
        assertThat(OutcomeCodecs.bytes().encode(null)).isEmpty();
        assertThat(OutcomeCodecs.utf8().decode(OutcomeCodecs.utf8().encode("héllo")))
                .isEqualTo("héllo");
        assertThat(OutcomeCodecs.<String>none().encode("ignored")).isEmpty();
    }
}
