package io.dedup.examples.spring;

import io.dedup.spring.Deduplicated;
import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.messaging.handler.annotation.Header;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/** The ledger: one row per payment, written by deduplicated Kafka and RabbitMQ listeners. Thread-safe (stateless). */
@Component
public class PaymentLedger {
    private final JdbcTemplate jdbc;
    private final String table;

    /**
     * Creates the ledger table when it is missing: an example's shortcut; an application would use its migrations.
     *
     * @param table the ledger's table, configurable so that tests on a shared database use their own
     */
    public PaymentLedger(JdbcTemplate jdbc, @Value("${ledger.table:payment_ledger}") String table) {
        this.jdbc = jdbc;
        this.table = table;
        jdbc.execute("CREATE TABLE IF NOT EXISTS " + table + " (payment_id TEXT NOT NULL, amount TEXT NOT NULL)");
    }

    /**
     * One row per payment record. No dedup code in the body: the starter wraps the container's listener, claims the
     * record's {@code event-id} inside this method's transaction, and does not call the method for a duplicate.
     * With {@code dedup.jdbc.transactional=true} the claim joins this method's transaction, so the row and the key
     * commit (or roll back) together.
     */
    @KafkaListener(id = "payments", topics = "${ledger.topic:payments}")
    @Deduplicated(key = "header:event-id")
    @Transactional
    public void onPayment(String amount, @Header("event-id") String paymentId) {
        jdbc.update("INSERT INTO " + table + " (payment_id, amount) VALUES (?, ?)", paymentId, amount);
    }

    /**
     * The same for card payments arriving on RabbitMQ. Its keys live in the queue's namespace (the Kafka
     * listener's in its consumer group's), so the two listeners never suppress each other's payments.
     */
    @RabbitListener(id = "card-payments", queues = "${ledger.queue:card-payments}")
    @Deduplicated(key = "header:event-id")
    @Transactional
    public void onCardPayment(String amount, @Header("event-id") String paymentId) {
        jdbc.update("INSERT INTO " + table + " (payment_id, amount) VALUES (?, ?)", paymentId, amount);
    }

    /** How many rows the ledger holds for a payment. */
    public int rows(String paymentId) {
        Integer n = jdbc.queryForObject(
                "SELECT count(*) FROM " + table + " WHERE payment_id = ?", Integer.class, paymentId);
        return n == null ? 0 : n;
    }
}
