package io.dedup.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dedup.KeyExtractor;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class KeySpecGrammarTest {
    record Message(String id, Map<String, String> headers, String body) {}

    private static final KeySpecGrammar<Message> GRAMMAR = KeySpecGrammar.<Message>builder()
            .header(name -> m -> Optional.ofNullable(m.headers().get(name)), "idempotency-key")
            .jsonPointer(pointer -> KeyExtractor.jsonPointer(m -> m.body().getBytes(StandardCharsets.UTF_8), pointer))
            .contentHash(headers -> KeyExtractor.contentHash(
                    m -> m.body().getBytes(StandardCharsets.UTF_8),
                    (m, name) -> Optional.ofNullable(m.headers().get(name))
                            .map(v -> v.getBytes(StandardCharsets.UTF_8))
                            .orElse(null),
                    headers.toArray(String[]::new)))
            .source("message-id", m -> Optional.ofNullable(m.id()), "messageid")
            .build();

    private static final Message MESSAGE =
            new Message("m-1", Map.of("idempotency-key", "h-1", "event-id", "e-1"), "{\"id\":\"j-1\"}");

    @Test
    void every_source_reads_its_place() {
        assertThat(GRAMMAR.parse("header").extract(MESSAGE)).contains("h-1");
        assertThat(GRAMMAR.parse("header:").extract(MESSAGE)).contains("h-1");
        assertThat(GRAMMAR.parse("header:event-id").extract(MESSAGE)).contains("e-1");
        assertThat(GRAMMAR.parse("json-pointer:/id").extract(MESSAGE)).contains("j-1");
        assertThat(GRAMMAR.parse("json:/id").extract(MESSAGE)).contains("j-1");
        assertThat(GRAMMAR.parse("Message-ID").extract(MESSAGE)).contains("m-1");
        assertThat(GRAMMAR.parse("messageid").extract(MESSAGE)).contains("m-1");
        assertThat(GRAMMAR.parse("content-hash").extract(MESSAGE).orElseThrow()).hasSize(43);
        assertThat(GRAMMAR.parse("content-hash:event-id").extract(MESSAGE))
                .isNotEqualTo(GRAMMAR.parse("content-hash").extract(MESSAGE));
    }

    @Test
    void a_chain_takes_the_first_source_that_finds_a_key() {
        assertThat(GRAMMAR.parse(" header:absent , json:/id ,").extract(MESSAGE))
                .contains("j-1");
        assertThat(GRAMMAR.parse("header:absent,json:/absent").extract(MESSAGE)).isEmpty();
    }

    @Test
    void a_bad_spec_is_refused_quoting_it_and_listing_the_forms() {
        for (String bad : List.of("", " , ", "headr", "json-pointer", "json:id", "message-id:x", "content-hash:a+")) {
            assertThatThrownBy(() -> GRAMMAR.parse(bad))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("invalid key specification \"" + bad + "\"")
                    .hasMessageEndingWith("accepted: " + GRAMMAR.acceptedForms());
        }
        assertThat(GRAMMAR.acceptedForms())
                .isEqualTo("header, header:NAME, json-pointer:/POINTER, content-hash, content-hash:HEADER+HEADER,"
                        + " message-id; chain several with commas");
        assertThatThrownBy(() -> GRAMMAR.parse(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void the_builder_refuses_missing_sources_and_taken_words() {
        assertThatThrownBy(() -> KeySpecGrammar.<Message>builder().build()).isInstanceOf(IllegalStateException.class);
        KeyExtractor<Message> any = m -> Optional.empty();
        assertThatThrownBy(() -> KeySpecGrammar.<Message>builder().source("json", any))
                .hasMessageContaining("taken");
        assertThatThrownBy(() -> KeySpecGrammar.<Message>builder().source("a:b", any))
                .hasMessageContaining("':'");
    }
}
