package io.dedup.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.dedup.DedupResult;
import io.dedup.Disposition;
import io.dedup.testkit.LocalServices;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The complete example of docs/jdbc-store.md, kept compiling and passing. */
class PaymentsExampleTest {
    /** An incoming message: a payment to book once. */
    record Payment(String id, String account, long cents) {}

    @Test
    void the_documented_example_books_each_payment_once() throws Exception {
        String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        String keysTable = "example_keys_" + suffix;
        String bookings = "example_bookings_" + suffix;
        try (HikariDataSource dataSource = TestDatabase.pool(LocalServices.postgres(), 4)) {
            try (Connection c = dataSource.getConnection();
                    Statement s = c.createStatement()) {
                s.execute("CREATE TABLE " + bookings + " (payment_id VARCHAR(64), account VARCHAR(64), cents BIGINT)");
            }
            try {
                // --8<-- [start:example]
                JdbcDedupStore store = JdbcDedupStore.builder(dataSource)
                        .table(keysTable)
                        .createSchema(true)
                        .build();
                TransactionalDedup<Payment> dedup = TransactionalDedup.builder(
                                store, (Payment p) -> Optional.of(p.id()))
                        .namespace("payments")
                        .build();
                TransactionalHandler<Payment> book = (payment, tx) -> {
                    try (PreparedStatement insert = tx.connection()
                            .prepareStatement(
                                    "INSERT INTO " + bookings + " (payment_id, account, cents) VALUES (?, ?, ?)")) {
                        insert.setString(1, payment.id());
                        insert.setString(2, payment.account());
                        insert.setLong(3, payment.cents());
                        insert.executeUpdate();
                    }
                    tx.outcome(("booked:" + payment.id()).getBytes(StandardCharsets.UTF_8));
                };

                Payment payment = new Payment("pay-42", "acct-7", 1999);
                DedupResult<Void> first = dedup.process(payment, book);
                DedupResult<Void> redelivered = dedup.process(payment, book);
                // --8<-- [end:example]

                assertThat(first).isInstanceOf(DedupResult.Processed.class);
                assertThat(first.disposition()).isEqualTo(Disposition.ACK);
                assertThat(redelivered).isInstanceOf(DedupResult.Duplicate.class);
                assertThat(new String(
                                ((DedupResult.Duplicate<Void>) redelivered)
                                        .outcome()
                                        .body(),
                                StandardCharsets.UTF_8))
                        .isEqualTo("booked:pay-42");
                try (Connection c = dataSource.getConnection();
                        Statement s = c.createStatement();
                        var rs = s.executeQuery("SELECT COUNT(*) FROM " + bookings)) {
                    rs.next();
                    assertThat(rs.getLong(1)).isEqualTo(1);
                }
                store.close();
            } finally {
                try (Connection c = dataSource.getConnection();
                        Statement s = c.createStatement()) {
                    s.execute("DROP TABLE IF EXISTS " + bookings + ", " + keysTable + ", " + keysTable + "_positions");
                }
            }
        }
    }
}
