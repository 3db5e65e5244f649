package io.dedup.spring.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dedup.jdbc.JdbcDedupStore;
import io.dedup.spi.DedupStore;
import io.dedup.testkit.LocalServices;
import io.dedup.testkit.ServiceEndpoint;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * What JDBC transactional mode promises, whatever runs the listener's transaction: a {@code @Transactional}
 * {@code @KafkaListener} writes one ledger row per record on the application's DataSource (PostgreSQL), the claim of
 * each record joins that transaction (so the row and the key commit together), and duplicates, sent at once or while
 * the consumer is stopped and redelivered after it restarts, add no row. Each subclass is one way of running the
 * transaction, with its own application, tables and listener (the {@code @Transactional} qualifier is the difference).
 *
 * <p>One instance for all of a subclass's tests, so that the clean-up after them can read the instance's tables and
 * its autowired {@code JdbcTemplate}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class TransactionalLedgerContract {
    private final String ledgerTable;
    private final String keysTable;

    @Autowired
    KafkaTemplate<String, String> template;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    KafkaListenerEndpointRegistry registry;

    @Autowired
    DedupStore store;

    @Autowired
    Ledger ledger;

    /**
     * @param ledgerTable the table the subclass's ledger writes
     * @param keysTable the store's table ({@code dedup.jdbc.table})
     */
    TransactionalLedgerContract(String ledgerTable, String keysTable) {
        this.ledgerTable = ledgerTable;
        this.keysTable = keysTable;
    }

    /** Sends one record per id, each with its {@code event-id} header, and makes them visible to consumers. */
    abstract void send(String... eventIds);

    /** Checks the subclass's set-up before any record is sent. */
    void checkSetUp() {}

    /**
     * The settings every subclass's application shares: the broker, the DataSource on the local PostgreSQL, the JDBC
     * store in its own table, transactional claims, and the key in the {@code event-id} header.
     */
    static void connect(DynamicPropertyRegistry registry, String topic, String group, String ledger, String keys) {
        ServiceEndpoint postgres = LocalServices.postgres();
        TestKafka.connect(registry, topic, group);
        registry.add("spring.datasource.url", postgres::jdbcUrl);
        registry.add("spring.datasource.username", postgres::user);
        registry.add("test.ledger", () -> ledger);
        registry.add("dedup.store.type", () -> "jdbc");
        registry.add("dedup.jdbc.table", () -> keys);
        registry.add("dedup.jdbc.transactional", () -> "true");
        registry.add("dedup.kafka.key", () -> "header:event-id");
    }

    /** Drops the ledger and the store's tables, so that the shared PostgreSQL keeps no trace of the run. */
    @AfterAll
    void dropTables() {
        jdbc.execute("DROP TABLE IF EXISTS " + ledgerTable);
        jdbc.execute("DROP TABLE IF EXISTS " + keysTable);
        jdbc.execute("DROP TABLE IF EXISTS " + keysTable + "_positions");
    }

    @Test
    void exactly_one_ledger_row_per_key_across_duplicates_and_a_consumer_restart() {
        assertThat(store).isInstanceOf(JdbcDedupStore.class);
        checkSetUp();
        String a = TestKafka.unique("a");
        String b = TestKafka.unique("b");
        send(a, a, b);
        await().atMost(Duration.ofSeconds(30)).until(() -> rows(b) == 1);

        MessageListenerContainer container = registry.getListenerContainer("ledger");
        container.stop();
        String c = TestKafka.unique("c");
        send(a, b, c);
        container.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> rows(c) == 1);

        assertThat(rows(a)).isEqualTo(1);
        assertThat(rows(b)).isEqualTo(1);
        // Read through methods: the bean is a transactional proxy, its fields are not the listener's.
        assertThat(ledger.joined())
                .as("claims outside the listener's transaction: %s", ledger.misses())
                .isTrue();
    }

    private int rows(String eventId) {
        Integer n = jdbc.queryForObject(
                "SELECT count(*) FROM " + ledgerTable + " WHERE event_id = ?", Integer.class, eventId);
        return n == null ? 0 : n;
    }

    /**
     * The application's ledger: one row per record it is given, and a check that the record's claim is in the same
     * transaction. A subclass adds the {@code @Transactional @KafkaListener} method that calls {@link #write}; the
     * annotations stay there because their qualifier is what the subclasses differ in.
     */
    abstract static class Ledger {
        private final JdbcTemplate jdbc;
        private final DataSource dataSource;
        private final String table;
        private final String keys;
        private volatile boolean joinedTransactions = true;
        private final List<String> misses = new CopyOnWriteArrayList<>();

        Ledger(JdbcTemplate jdbc, DataSource dataSource, String table, String keys) {
            this.jdbc = jdbc;
            this.dataSource = dataSource;
            this.table = table;
            this.keys = keys;
            jdbc.execute("CREATE TABLE IF NOT EXISTS " + table + " (event_id TEXT NOT NULL, payload TEXT)");
        }

        public boolean joined() {
            return joinedTransactions;
        }

        public List<String> misses() {
            return List.copyOf(misses);
        }

        /** Writes the record's row; called inside the listener's transaction. */
        void write(ConsumerRecord<String, String> record) throws SQLException {
            // The claim of this record is in this transaction, not yet committed: this transaction sees one more
            // key row than a connection of its own does.
            Integer inside = jdbc.queryForObject("SELECT count(*) FROM " + keys, Integer.class);
            int outside;
            try (Connection own = dataSource.getConnection();
                    Statement statement = own.createStatement();
                    ResultSet rows = statement.executeQuery("SELECT count(*) FROM " + keys)) {
                rows.next();
                outside = rows.getInt(1);
            }
            if (inside == null || inside <= outside) {
                joinedTransactions = false;
                misses.add("inside=" + inside + " outside=" + outside + " tx="
                        + TransactionSynchronizationManager.isActualTransactionActive());
            }
            jdbc.update(
                    "INSERT INTO " + table + " (event_id, payload) VALUES (?, ?)",
                    TestKafka.eventId(record),
                    record.value());
        }
    }
}
