package io.dedup.examples.readme;

import com.zaxxer.hikari.HikariDataSource;
import io.dedup.DedupConsumer;
import io.dedup.DedupResult;
import io.dedup.KeyExtractor;
import io.dedup.jdbc.JdbcDedupStore;
import io.dedup.jdbc.TransactionalDedup;
import io.dedup.jdbc.TransactionalHandler;
import io.dedup.redis.RedisDedupStore;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.Optional;

/** The README's store code blocks, compiled; ReadmeSnippetsTest checks the README shows this code. */
final class StoresQuickStart {
    /** The application's message type the snippets name; a JSON body with an {@code orderId}. */
    record Order(byte[] body) {}

    /** The payment the transactional snippet books. */
    record Payment(String id, String account, long cents) {}

    private StoresQuickStart() {}

    /** The README's Redis store snippet. */
    static DedupConsumer<Order> redis() {
        // README: redis
        RedisDedupStore store = RedisDedupStore.builder("redis://127.0.0.1:6379") // rediss://user:pass@host for TLS/ACL
                .keyPrefix("billing:dedup:")
                .commandTimeout(Duration.ofSeconds(1))
                .build();
        DedupConsumer<Order> dedup = DedupConsumer.builder(KeyExtractor.<Order>jsonPointer(Order::body, "/orderId"))
                .store(store)
                .namespace("orders")
                .build();
        // end
        return dedup;
    }

    /** The README's JDBC store snippet. */
    static JdbcDedupStore jdbc(HikariDataSource dataSource) {
        // README: jdbc
        JdbcDedupStore store = JdbcDedupStore.builder(dataSource)
                .table("dedup_keys") // validated identifier; may be schema-qualified
                .createSchema(true) // create the tables at build time
                .lockTimeout(Duration.ofSeconds(10)) // never hang on a row lock
                .purgeEvery(Duration.ofMinutes(5), 1000) // delete expired rows in bounded batches
                .build();
        // end
        return store;
    }

    /** The README's transactional-mode snippet: the handler's writes, the key and the completion in one transaction. */
    static DedupResult<Void> transactional(JdbcDedupStore store, Payment payment) {
        // README: transactional
        TransactionalDedup<Payment> dedup = TransactionalDedup.builder(store, (Payment p) -> Optional.of(p.id()))
                .namespace("payments")
                .build();
        TransactionalHandler<Payment> book = (p, tx) -> {
            try (PreparedStatement insert = tx.connection() // the transaction that also holds the key
                    .prepareStatement("INSERT INTO bookings (payment_id, account, cents) VALUES (?, ?, ?)")) {
                insert.setString(1, p.id());
                insert.setString(2, p.account());
                insert.setLong(3, p.cents());
                insert.executeUpdate();
            }
        };
        DedupResult<Void> result = dedup.process(payment, book); // effect and key commit together, or neither
        // end
        return result;
    }
}
