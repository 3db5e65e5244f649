package io.dedup.examples.spring;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A Spring Boot application whose {@code @KafkaListener} and {@code @RabbitListener} write a payment ledger in PostgreSQL, exactly once per
 * payment: the dedup starter claims each record's {@code event-id} in the listener's own transaction
 * ({@code dedup.jdbc.transactional=true}, see {@code application.properties}), so a redelivered payment adds no row.
 *
 * <p>Not thread-safe itself: Spring Boot's entry point; the beans it declares say their own.
 */
@SpringBootApplication
public class LedgerApplication {
    /** The queue of card payments, declared on the broker when the application connects. */
    @org.springframework.context.annotation.Bean
    org.springframework.amqp.core.Queue cardPayments(
            @org.springframework.beans.factory.annotation.Value("${ledger.queue:card-payments}") String name) {
        return new org.springframework.amqp.core.Queue(name);
    }

    /** Starts the application; the brokers and the database come from {@code application.properties}. */
    public static void main(String[] args) {
        SpringApplication.run(LedgerApplication.class, args);
    }
}
