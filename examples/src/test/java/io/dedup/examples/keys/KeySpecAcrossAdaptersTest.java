package io.dedup.examples.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Delivery;
import com.rabbitmq.client.Envelope;
import io.dedup.KeyExtractor;
import io.dedup.kafka.RecordKeys;
import io.dedup.rabbitmq.RabbitKeys;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Kafka and RabbitMQ read key specifications in one grammar: the same spellings find the same keys. */
class KeySpecAcrossAdaptersTest {
    private static final String BODY = "{\"order\":{\"id\":\"o-7\"}}";

    /** A Kafka record and an AMQP delivery carrying the same headers and body. */
    private static ConsumerRecord<byte[], byte[]> record() {
        RecordHeaders headers = new RecordHeaders();
        headers.add("idempotency-key", bytes("h-1"));
        headers.add("event-id", bytes("e-1"));
        return new ConsumerRecord<>(
                "t", 0, 0, 0L, TimestampType.CREATE_TIME, -1, -1, null, bytes(BODY), headers, Optional.empty());
    }

    private static Delivery delivery() {
        AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder()
                .headers(Map.of("idempotency-key", "h-1", "event-id", "e-1"))
                .build();
        return new Delivery(new Envelope(1, false, "", "q"), properties, bytes(BODY));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "header",
                "header:event-id",
                "HEADER:event-id",
                "json-pointer:/order/id",
                "json:/order/id",
                "header:absent, json-pointer:/order/id",
                "header:absent,json:/order/id,",
                "content-hash",
                "content-hash:event-id",
                "content-hash:event-id+absent"
            })
    void both_adapters_accept_the_same_spelling_and_find_the_same_key(String spec) {
        Optional<String> kafka = RecordKeys.parse(spec).extract(record());
        Optional<String> rabbit = RabbitKeys.parse(spec).extract(delivery());
        assertThat(kafka).isPresent();
        assertThat(rabbit).as("RabbitMQ reads '%s' as Kafka does", spec).isEqualTo(kafka);
    }

    @ParameterizedTest
    @ValueSource(strings = {"headr", "json-pointer", "json-pointer:id", "content-hash:a++b", " , ", "record-key:x"})
    void both_adapters_refuse_a_bad_spec_naming_it_and_the_accepted_forms(String spec) {
        for (Function<String, KeyExtractor<?>> parser :
                java.util.List.<Function<String, KeyExtractor<?>>>of(RecordKeys::parse, RabbitKeys::parse)) {
            assertThatThrownBy(() -> parser.apply(spec))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("\"" + spec + "\"")
                    .hasMessageContaining("accepted: header, header:NAME, json-pointer:/POINTER, content-hash");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"record-key", "message-id"})
    void each_adapter_adds_its_own_words_and_refuses_the_other_ones(String word) {
        boolean kafkaWord = word.equals("record-key");
        KeyExtractor<?> own = kafkaWord ? RecordKeys.parse(word) : RabbitKeys.parse(word);
        assertThat(own).isNotNull();
        Function<String, KeyExtractor<?>> other = kafkaWord ? RabbitKeys::parse : RecordKeys::parse;
        assertThatThrownBy(() -> other.apply(word))
                .hasMessageContaining("unknown key source '" + word + "'")
                .hasMessageContaining(kafkaWord ? "message-id" : "record-key");
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
