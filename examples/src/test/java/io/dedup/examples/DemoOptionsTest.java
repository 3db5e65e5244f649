package io.dedup.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dedup.examples.DemoOptions.Broker;
import io.dedup.examples.DemoOptions.StoreKind;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DemoOptionsTest {
    @Test
    void no_arguments_mean_twenty_thousand_payments_on_kafka_with_the_in_memory_store() {
        DemoOptions options = DemoOptions.parse();
        assertThat(options.messages()).isEqualTo(20_000);
        assertThat(options.broker()).isEqualTo(Broker.KAFKA);
        assertThat(options.store()).isEqualTo(StoreKind.MEMORY);
        assertThat(options.kafkaBootstrapServers()).isEmpty();
        assertThat(options.verbose()).isTrue();
    }

    @Test
    void every_option_is_read() {
        DemoOptions options = DemoOptions.parse(
                "--messages",
                "5_000",
                "--broker",
                "rabbitmq",
                "--store",
                "jdbc",
                "--seed",
                "3",
                "--bootstrap-servers",
                "k:9092",
                "--quiet");
        assertThat(options)
                .isEqualTo(new DemoOptions(5000, 3, Broker.RABBITMQ, StoreKind.JDBC, Optional.of("k:9092"), false));
    }

    @Test
    void bad_arguments_are_named() {
        assertThatThrownBy(() -> DemoOptions.parse("--store", "mongo"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--store mongo")
                .hasMessageContaining("one of memory, redis, jdbc");
        assertThatThrownBy(() -> DemoOptions.parse("--messages"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--messages needs a value");
        assertThatThrownBy(() -> DemoOptions.parse("--messages", "5"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 10");
        assertThatThrownBy(() -> DemoOptions.parse("--fast"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown argument --fast");
    }

    @Test
    void services_come_from_the_environment_with_local_defaults_and_passwords_stay_out_of_messages() {
        DemoServices defaults = DemoServices.from(name -> null);
        assertThat(defaults.redisUri()).isEqualTo("redis://127.0.0.1:6379");
        assertThat(defaults.jdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:5432/test");
        assertThat(defaults.jdbcUser()).isEqualTo("postgres");

        DemoServices set = DemoServices.from(Map.of(
                "DEDUP_REDIS_URI", "redis://u:secret@r:1",
                "DEDUP_RABBITMQ_URI", "amqp://u:secret@q:2",
                "DEDUP_JDBC_PASSWORD", "secret")::get);
        assertThat(set.redisUri()).isEqualTo("redis://u:secret@r:1");
        assertThat(set.toString()).doesNotContain("secret");
    }
}
