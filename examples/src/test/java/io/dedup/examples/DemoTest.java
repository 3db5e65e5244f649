package io.dedup.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.dedup.examples.DemoOptions.Broker;
import io.dedup.examples.DemoOptions.StoreKind;
import io.dedup.testkit.LocalServices;
import io.dedup.testkit.ServiceEndpoint;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DemoTest {
    private static final String LAST_LINE =
            "exactly-once: deliveries=\\d+ unique_keys=%d executions=%d duplicates_suppressed=\\d+ lost=0";

    private static DemoServices localServices() {
        ServiceEndpoint postgres = LocalServices.postgres();
        return new DemoServices(
                LocalServices.redis().uri(),
                postgres.jdbcUrl(),
                postgres.user(),
                postgres.password(),
                LocalServices.rabbitmq().uri());
    }

    private static DemoReport run(DemoOptions options, DemoServices services, StringBuilder output) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DemoReport report;
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            report = Demo.run(options, services, out);
        }
        output.append(bytes.toString(StandardCharsets.UTF_8));
        return report;
    }

    private static void assertExactlyOnce(DemoReport report, int payments) {
        assertThat(report.uniqueKeys()).isEqualTo(payments);
        assertThat(report.executions()).isEqualTo(payments);
        assertThat(report.lost()).isZero();
        assertThat(report.deliveries()).isGreaterThan(report.uniqueKeys());
        // The producer's retries alone are about a tenth of the payments; a crash and a replay add more.
        assertThat(report.duplicatesSuppressed()).isGreaterThan(payments / 10);
        assertThat(report.duplicatesSuppressed()).isLessThanOrEqualTo(report.deliveries() - report.executions());
        assertThat(report.exactlyOnce()).isTrue();
        assertThat(report.line()).matches(String.format(LAST_LINE, payments, payments));
    }

    @Test
    void the_default_demo_starts_its_own_kafka_and_charges_each_payment_exactly_once() throws Exception {
        StringBuilder output = new StringBuilder();
        DemoReport report = run(DemoOptions.defaults().withMessages(2000), DemoServices.fromEnvironment(), output);

        assertExactlyOnce(report, 2000);
        assertThat(output)
                .contains("starting a single-node Kafka broker")
                .contains("sent twice by a retrying producer")
                .contains("worker-1 died after charging")
                .contains("resets the group's offsets back")
                .contains("duplicates suppressed");
    }

    /** The Kafka demo on the shared broker with {@code store}, {@code messages} payments, its output discarded. */
    private static DemoReport quietKafkaDemo(StoreKind store, int messages) throws Exception {
        return run(
                DemoOptions.defaults()
                        .withMessages(messages)
                        .withStore(store)
                        .withKafka(SharedKafka.bootstrapServers())
                        .withVerbose(false),
                localServices(),
                new StringBuilder());
    }

    @Test
    void the_kafka_demo_works_with_the_redis_store() throws Exception {
        assertExactlyOnce(quietKafkaDemo(StoreKind.REDIS, 1000), 1000);
    }

    @Test
    void the_kafka_demo_works_with_the_jdbc_store() throws Exception {
        assertExactlyOnce(quietKafkaDemo(StoreKind.JDBC, 1000), 1000);
    }

    @Test
    void the_rabbitmq_demo_charges_each_payment_exactly_once() throws Exception {
        StringBuilder output = new StringBuilder();
        DemoReport report =
                run(DemoOptions.defaults().withMessages(2000).withBroker(Broker.RABBITMQ), localServices(), output);
        assertExactlyOnce(report, 2000);
        assertThat(output).contains("worker-1 lost its connection").contains("re-publishes");
    }

    @Test
    void the_demo_without_a_broker_charges_each_payment_exactly_once() throws Exception {
        DemoReport report = run(
                DemoOptions.defaults()
                        .withMessages(3000)
                        .withBroker(Broker.NONE)
                        .withVerbose(false),
                DemoServices.fromEnvironment(),
                new StringBuilder());
        assertExactlyOnce(report, 3000);
    }

    @Test
    void a_store_that_cannot_be_reached_is_reported_with_what_to_start() {
        DemoServices nowhere = new DemoServices(
                "redis://127.0.0.1:1", "jdbc:postgresql://127.0.0.1:1/test", "postgres", "", "amqp://127.0.0.1:1");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Demo.run(
                        DemoOptions.defaults().withStore(StoreKind.REDIS).withBroker(Broker.NONE), nowhere, System.out))
                .isInstanceOf(DemoEnvironmentException.class)
                .hasMessageContaining("Redis is not reachable")
                .hasMessageContaining("DEDUP_REDIS_URI");
    }
}
