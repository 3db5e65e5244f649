package io.dedup.examples.ledger;

import io.dedup.examples.Payment;
import io.dedup.jdbc.JdbcDedupStore;
import io.dedup.kafka.KafkaDedup;
import io.dedup.kafka.KafkaDedupRunner;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Objects;
import javax.sql.DataSource;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Kafka to PostgreSQL exactly once, with the offsets in the database: each payment is posted to a ledger table and
 * added to its account's balance, and per poll one database transaction commits those writes together with the
 * records' keys and the consumed offsets. On start (and on every partition assignment) the consumer seeks to the
 * offsets stored in the database, not Kafka's: Kafka's committed offsets are written afterwards for lag monitoring
 * only. So every payment's effect is applied exactly once across crashes, rebalances, redeliveries and duplicates
 * sent by producers: there is no window in which a crash repeats or loses an effect.
 *
 * <p>Thread-safe: {@link #close()} from any thread.
 */
public final class LedgerConsumer implements AutoCloseable {
    /** The runner in transactional-store mode; it polls on its own thread. */
    private final KafkaDedupRunner<String, String> runner;

    /** A handle on a started runner. */
    private LedgerConsumer(KafkaDedupRunner<String, String> runner) {
        this.runner = runner;
    }

    /**
     * Starts consuming {@code topic} in {@code group}.
     *
     * @param store the JDBC store on the database that holds the ledger; the caller closes it after this consumer
     */
    public static LedgerConsumer start(
            String bootstrapServers, String group, String topic, JdbcDedupStore store, LedgerTables tables) {
        Objects.requireNonNull(tables, "tables");
        Map<String, Object> config = Map.of(
                "bootstrap.servers", bootstrapServers,
                "group.id", group,
                "auto.offset.reset", "earliest");
        KafkaDedupRunner<String, String> runner = KafkaDedupRunner.builder(
                        config, new StringDeserializer(), new StringDeserializer())
                .topics(topic)
                .dedup(KafkaDedup.builder().store(store)) // keys: the idempotency-key header
                // keys, offsets and the postings in the store's transaction: no separate Kafka commit to lose
                .transactionalStore((record, tx) -> {
                    Payment payment = Payment.parse(record.value());
                    Connection db = tx.resource(Connection.class); // the poll's transaction: never commit or close it
                    tables.post(db, payment);
                })
                .build();
        runner.start();
        return new LedgerConsumer(runner);
    }

    /** Finishes the transaction in hand and leaves the group. */
    @Override
    public void close() {
        runner.close();
    }

    /**
     * The ledger's two tables: {@code <ledger>} (one row per posting) and {@code <ledger>_balances} (one row per
     * account). Neither has a constraint that would reject a second posting of a payment: exactly once comes from
     * dedup, and a duplicate effect would show. Immutable.
     *
     * @param ledger the ledger table's name, a plain identifier
     */
    public record LedgerTables(String ledger) {
        public LedgerTables {
            Objects.requireNonNull(ledger, "ledger");
            if (!ledger.matches("[A-Za-z_][A-Za-z0-9_]{0,50}")) {
                throw new IllegalArgumentException("ledger must be a plain SQL identifier, got " + ledger);
            }
        }

        /** The balances table's name. */
        public String balances() {
            return ledger + "_balances";
        }

        /**
         * Creates both tables (PostgreSQL).
         *
         * @throws SQLException if a table cannot be created
         */
        public void create(DataSource dataSource) throws SQLException {
            try (Connection c = dataSource.getConnection();
                    Statement ddl = c.createStatement()) {
                ddl.execute(
                        "CREATE TABLE IF NOT EXISTS " + ledger + " (entry_id BIGSERIAL PRIMARY KEY,"
                                + " payment_id VARCHAR(64) NOT NULL, account VARCHAR(64) NOT NULL, amount_cents BIGINT NOT NULL)");
                ddl.execute("CREATE TABLE IF NOT EXISTS " + balances()
                        + " (account VARCHAR(64) PRIMARY KEY, balance_cents BIGINT NOT NULL)");
            }
        }

        /**
         * Posts {@code payment} through {@code db}: a ledger row and the account's new balance.
         *
         * @throws SQLException if a write fails; the poll's transaction then rolls back, key and offsets included
         */
        void post(Connection db, Payment payment) throws SQLException {
            try (PreparedStatement insert = db.prepareStatement(
                    "INSERT INTO " + ledger + " (payment_id, account, amount_cents) VALUES (?, ?, ?)")) {
                insert.setString(1, payment.paymentId());
                insert.setString(2, payment.account());
                insert.setLong(3, payment.amountCents());
                insert.executeUpdate();
            }
            try (PreparedStatement add = db.prepareStatement("INSERT INTO " + balances()
                    + " (account, balance_cents) VALUES (?, ?) ON CONFLICT (account)"
                    + " DO UPDATE SET balance_cents = " + balances() + ".balance_cents + EXCLUDED.balance_cents")) {
                add.setString(1, payment.account());
                add.setLong(2, payment.amountCents());
                add.executeUpdate();
            }
        }
    }
}
