package io.dedup.examples.spring;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A Spring Boot application whose {@code @KafkaListener} writes a payment ledger in PostgreSQL, exactly once per
 * payment: the dedup starter claims each record's {@code event-id} in the listener's own transaction
 * ({@code dedup.jdbc.transactional=true}, see {@code application.properties}), so a redelivered payment adds no row.
 */
@SpringBootApplication
public class LedgerApplication {
    public static void main(String[] args) {
        SpringApplication.run(LedgerApplication.class, args);
    }
}
