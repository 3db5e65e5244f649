package io.dedup.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dedup.testkit.KafkaBroker;
import io.dedup.testkit.LocalServices;
import io.dedup.testkit.ServiceEndpoint;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.core.KafkaTemplate;

/**
 * The example application, started as an application is: every payment is sent twice, and some a third time after
 * the application restarted; the ledger has one row per payment.
 */
class LedgerApplicationTest {
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final String LEDGER = "example_ledger_" + RUN;
    private static final String KEYS = "example_dedup_keys_" + RUN;
    private static final String QUEUE = "card-payments-" + RUN;
    private static KafkaBroker broker;

    @AfterAll
    static void cleanUp() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void every_payment_is_in_the_ledger_once_across_duplicates_and_a_restart() {
        broker = KafkaBroker.start();
        String topic = "payments-" + RUN;
        String[] payments = {"p-1-" + RUN, "p-2-" + RUN, "p-3-" + RUN};
        try (ConfigurableApplicationContext app = start(topic)) {
            for (String payment : payments) {
                send(app, topic, payment);
                send(app, topic, payment);
            }
            PaymentLedger ledger = app.getBean(PaymentLedger.class);
            await().atMost(Duration.ofSeconds(60)).until(() -> ledger.rows(payments[2]) == 1);
        }
        try (ConfigurableApplicationContext app = start(topic)) {
            String last = "p-4-" + RUN;
            send(app, topic, payments[0]);
            send(app, topic, last);
            PaymentLedger ledger = app.getBean(PaymentLedger.class);
            await().atMost(Duration.ofSeconds(60)).until(() -> ledger.rows(last) == 1);
            for (String payment : payments) {
                assertThat(ledger.rows(payment)).as(payment).isEqualTo(1);
            }
            // Card payments over RabbitMQ, into the same ledger: each sent twice.
            String card = "c-1-" + RUN;
            sendCard(app, card);
            sendCard(app, card);
            String lastCard = "c-2-" + RUN;
            sendCard(app, lastCard);
            await().atMost(Duration.ofSeconds(60)).until(() -> ledger.rows(lastCard) == 1);
            assertThat(ledger.rows(card)).isEqualTo(1);
            app.getBean(org.springframework.amqp.core.AmqpAdmin.class).deleteQueue(QUEUE);
            JdbcTemplate jdbc = app.getBean(JdbcTemplate.class);
            jdbc.execute("DROP TABLE " + LEDGER);
            jdbc.execute("DROP TABLE IF EXISTS " + KEYS);
            jdbc.execute("DROP TABLE IF EXISTS " + KEYS + "_positions");
        }
    }

    private static ConfigurableApplicationContext start(String topic) {
        ServiceEndpoint postgres = LocalServices.postgres();
        ServiceEndpoint rabbit = LocalServices.rabbitmq();
        return new SpringApplication(LedgerApplication.class)
                .run(
                        "--spring.kafka.bootstrap-servers=" + broker.bootstrapServers(),
                        "--spring.datasource.url=" + postgres.jdbcUrl(),
                        "--spring.datasource.username=" + postgres.user(),
                        "--ledger.topic=" + topic,
                        "--ledger.table=" + LEDGER,
                        "--ledger.queue=" + QUEUE,
                        "--spring.rabbitmq.host=" + rabbit.host(),
                        "--spring.rabbitmq.port=" + rabbit.port(),
                        "--spring.rabbitmq.username=" + rabbit.user(),
                        "--spring.rabbitmq.password=" + rabbit.password(),
                        "--dedup.jdbc.table=" + KEYS);
    }

    private static void sendCard(ConfigurableApplicationContext app, String paymentId) {
        app.getBean(org.springframework.amqp.rabbit.core.RabbitTemplate.class)
                .convertAndSend("", QUEUE, "5.00 EUR", m -> {
                    m.getMessageProperties().setHeader("event-id", paymentId);
                    return m;
                });
    }

    @SuppressWarnings("unchecked")
    private static void send(ConfigurableApplicationContext app, String topic, String paymentId) {
        KafkaTemplate<String, String> template = app.getBean(KafkaTemplate.class);
        ProducerRecord<String, String> record = new ProducerRecord<>(topic, "10.00 EUR");
        record.headers().add("event-id", paymentId.getBytes(StandardCharsets.UTF_8));
        template.send(record);
        template.flush();
    }
}
