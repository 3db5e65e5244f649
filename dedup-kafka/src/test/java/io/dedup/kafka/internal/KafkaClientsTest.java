package io.dedup.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dedup.DedupConfigurationException;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class KafkaClientsTest {
    @Test
    void a_kafka_clients_release_below_the_floor_is_refused_naming_the_found_and_the_needed_version() {
        assertThatThrownBy(() -> KafkaClients.requireSupported("3.7.2"))
                .isInstanceOf(DedupConfigurationException.class)
                .hasMessageContaining("kafka-clients 3.7.2")
                .hasMessageContaining("3.8 or newer");
        assertThatThrownBy(() -> KafkaClients.requireSupported("2.8.1"))
                .isInstanceOf(DedupConfigurationException.class);
    }

    @Test
    void supported_releases_and_unknown_builds_pass() {
        assertThatNoException().isThrownBy(() -> KafkaClients.requireSupported("3.8.0"));
        assertThatNoException().isThrownBy(() -> KafkaClients.requireSupported("3.9.1"));
        assertThatNoException().isThrownBy(() -> KafkaClients.requireSupported("4.4.0"));
        assertThatNoException().isThrownBy(() -> KafkaClients.requireSupported("unknown"));
        assertThatNoException().isThrownBy(KafkaClients::requireSupported);
        assertThat(KafkaClients.version()).matches("\\d+\\.\\d+\\.\\d+.*");
    }

    @Test
    void a_record_is_copied_with_every_field_the_kafka_clients_on_the_class_path_has() {
        RecordHeaders headers = new RecordHeaders();
        headers.add("h", new byte[] {1});
        ConsumerRecord<String, String> copy = KafkaClients.record(
                "t",
                3,
                42L,
                1000L,
                TimestampType.CREATE_TIME,
                1,
                2,
                "k",
                "v",
                headers,
                Optional.of(7),
                Optional.empty());

        assertThat(copy.topic()).isEqualTo("t");
        assertThat(copy.partition()).isEqualTo(3);
        assertThat(copy.offset()).isEqualTo(42L);
        assertThat(copy.timestamp()).isEqualTo(1000L);
        assertThat(copy.key()).isEqualTo("k");
        assertThat(copy.value()).isEqualTo("v");
        assertThat(copy.headers().lastHeader("h").value()).containsExactly(1);
        assertThat(copy.leaderEpoch()).contains(7);
        assertThat(KafkaClients.deliveryCount(copy)).isEmpty();
    }
}
