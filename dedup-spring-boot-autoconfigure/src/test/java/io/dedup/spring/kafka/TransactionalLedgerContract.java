package io.dedup.spring.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dedup.jdbc.JdbcDedupStore;
import io.dedup.spi.DedupStore;
import io.dedup.testkit.LocalServices;
import io.dedup.testkit.ServiceEndpoint;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;
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
@TestPropertySource(
        properties = {"dedup.store.type=jdbc", "dedup.jdbc.transactional=true", "dedup.kafka.key=header:event-id"})
abstract class TransactionalLedgerContract {
    @Value("${test.topic}")
    String topic;

    @Value("${test.ledger}")
    String ledgerTable;

    @Value("${dedup.jdbc.table}")
    String keysTable;

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
     * Sends one record per id to {@link #topic}, each with its {@code event-id} header, and makes them visible to
     * consumers.
     */
    abstract void send(String... eventIds);

    /** Checks the subclass's set-up before any record is sent. */
    void checkSetUp() {}

    /**
     * What every subclass's application connects to: the broker with a topic and group of its own, the DataSource on
     * the local PostgreSQL, and a ledger table and JDBC store table of its own. The settings that are the same for
     * every application (the JDBC store, transactional claims, the key in the {@code event-id} header) are on the
     * class.
     */
    @DynamicPropertySource
    static void services(DynamicPropertyRegistry registry) {
        ServiceEndpoint postgres = LocalServices.postgres();
        String run = UUID.randomUUID().toString().substring(0, 8);
        String ledger = "boot_ledger_" + run;
        String keys = "boot_keys_" + run;
        TestKafka.connect(registry);
        registry.add("spring.datasource.url", postgres::jdbcUrl);
        registry.add("spring.datasource.username", postgres::user);
        registry.add("test.ledger", () -> ledger);
        registry.add("dedup.jdbc.table", () -> keys);
    }

    /** Creates the ledger table before the application's listener can be given a record. */
    @BeforeAll
    void createLedger() {
        jdbc.execute("CREATE TABLE IF NOT EXISTS " + ledgerTable + " (event_id TEXT NOT NULL, payload TEXT)");
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

    /**
     * A subclass's application: Boot's auto-configuration with the DataSource (Redis left out, though it is on the
     * test class path) and the test topic. The subclass's application imports its {@link Ledger} next to this.
     */
    @Target(ElementType.TYPE)
    @Retention(RetentionPolicy.RUNTIME)
    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration(
            excludeName = "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration")
    @Import(TestKafka.TestTopic.class)
    @interface LedgerApplication {}

    private int rows(String eventId) {
        Integer n = jdbc.queryForObject(
                "SELECT count(*) FROM " + ledgerTable + " WHERE event_id = ?", Integer.class, eventId);
        return n == null ? 0 : n;
    }

    /**
     * The application's ledger: one row per record it is given, and a check that the record's claim is in the same
     * transaction. A subclass adds the {@code @Transactional @KafkaListener} method that calls {@link #write}; the
     * annotations stay there because their qualifier is what the subclasses differ in. Injected by field, so that a
     * subclass is that method alone and the application imports it.
     */
    abstract static class Ledger {
        @Autowired
        private JdbcTemplate jdbc;

        @Autowired
        private DataSource dataSource;

        @Value("${test.ledger}")
        private String table;

        @Value("${dedup.jdbc.table}")
        private String keys;

        private volatile boolean joinedTransactions = true;
        private final List<String> misses = new CopyOnWriteArrayList<>();

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
