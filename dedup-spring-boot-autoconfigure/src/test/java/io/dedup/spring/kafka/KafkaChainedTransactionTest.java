package io.dedup.spring.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dedup.jdbc.JdbcDedupStore;
import io.dedup.spi.DedupStore;
import io.dedup.testkit.LocalServices;
import io.dedup.testkit.ServiceEndpoint;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.annotation.Transactional;

/**
 * JDBC transactional mode when the container runs with Kafka's transaction manager (Boot sets the {@code
 * KafkaTransactionManager} on the containers when {@code spring.kafka.producer.transaction-id-prefix} is set) and the
 * listener's {@code @Transactional("dstm")} uses the application's {@code DataSourceTransactionManager}, the set-up
 * spring-kafka 4 recommends in place of the removed {@code ChainedKafkaTransactionManager}: the claim joins the
 * database transaction, nested in the Kafka one; exactly one ledger row per key across duplicates and a consumer
 * restart.
 */
@SpringBootTest(classes = KafkaChainedTransactionTest.App.class)
class KafkaChainedTransactionTest {
    static final String TOPIC = TestKafka.unique("chained");
    static final String GROUP = TestKafka.unique("chained-group");
    static final String RUN = UUID.randomUUID().toString().substring(0, 8).replace('-', '_');
    static final String LEDGER = "boot_chained_ledger_" + RUN;
    static final String KEYS = "boot_chained_keys_" + RUN;

    @DynamicPropertySource
    static void services(DynamicPropertyRegistry registry) {
        ServiceEndpoint postgres = LocalServices.postgres();
        registry.add("spring.kafka.bootstrap-servers", () -> TestKafka.broker().bootstrapServers());
        registry.add("spring.kafka.consumer.auto-offset-reset", () -> "earliest");
        registry.add("spring.datasource.url", postgres::jdbcUrl);
        registry.add("spring.datasource.username", postgres::user);
        registry.add("test.topic", () -> TOPIC);
        registry.add("test.group", () -> GROUP);
        registry.add("test.ledger", () -> LEDGER);
        registry.add("dedup.store.type", () -> "jdbc");
        registry.add("dedup.jdbc.table", () -> KEYS);
        registry.add("dedup.jdbc.transactional", () -> "true");
        registry.add("dedup.kafka.key", () -> "header:event-id");
        registry.add("spring.kafka.producer.transaction-id-prefix", () -> "dedup-chained-" + RUN + "-");
        registry.add("spring.kafka.consumer.isolation-level", () -> "read_committed");
    }

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

    @AfterAll
    static void dropTables(@Autowired JdbcTemplate jdbc) {
        jdbc.execute("DROP TABLE IF EXISTS " + LEDGER);
        jdbc.execute("DROP TABLE IF EXISTS " + KEYS);
        jdbc.execute("DROP TABLE IF EXISTS " + KEYS + "_positions");
    }

    @Test
    void exactly_one_ledger_row_per_key_across_duplicates_and_a_consumer_restart() {
        assertThat(store).isInstanceOf(JdbcDedupStore.class);
        assertThat(registry.getListenerContainer("ledger")
                        .getContainerProperties()
                        .getKafkaAwareTransactionManager())
                .as("the container runs with Kafka's transaction manager")
                .isNotNull();
        String a = TestKafka.unique("a");
        String b = TestKafka.unique("b");
        send(a);
        send(a);
        send(b);
        await().atMost(Duration.ofSeconds(30)).until(() -> rows(b) == 1);

        MessageListenerContainer container = registry.getListenerContainer("ledger");
        container.stop();
        String c = TestKafka.unique("c");
        send(a);
        send(b);
        send(c);
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
        Integer n =
                jdbc.queryForObject("SELECT count(*) FROM " + LEDGER + " WHERE event_id = ?", Integer.class, eventId);
        return n == null ? 0 : n;
    }

    private void send(String eventId) {
        ProducerRecord<String, String> record = new ProducerRecord<>(TOPIC, "amount of " + eventId);
        record.headers().add("event-id", eventId.getBytes(StandardCharsets.UTF_8));
        template.executeInTransaction(t -> t.send(record));
    }

    /** The application's @Transactional listener: one ledger row per record it is given. */
    static class Ledger {
        private final JdbcTemplate jdbc;
        private final DataSource dataSource;
        private final String table;
        volatile boolean joinedTransactions = true;
        final java.util.List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();

        public boolean joined() {
            return joinedTransactions;
        }

        public java.util.List<String> misses() {
            return java.util.List.copyOf(seen);
        }

        Ledger(JdbcTemplate jdbc, DataSource dataSource, String table) {
            this.jdbc = jdbc;
            this.dataSource = dataSource;
            this.table = table;
            jdbc.execute("CREATE TABLE IF NOT EXISTS " + table + " (event_id TEXT NOT NULL, payload TEXT)");
        }

        @Transactional("dstm")
        @KafkaListener(id = "ledger", groupId = "${test.group}", topics = "${test.topic}")
        public void onRecord(ConsumerRecord<String, String> record) throws SQLException {
            // The claim of this record is in this transaction, not yet committed: this transaction sees one more
            // key row than a connection of its own does.
            Integer inside = jdbc.queryForObject("SELECT count(*) FROM " + KEYS, Integer.class);
            int outside;
            try (Connection own = dataSource.getConnection();
                    Statement statement = own.createStatement();
                    ResultSet rows = statement.executeQuery("SELECT count(*) FROM " + KEYS)) {
                rows.next();
                outside = rows.getInt(1);
            }
            if (inside == null || inside <= outside) {
                joinedTransactions = false;
                seen.add("inside=" + inside + " outside=" + outside + " tx="
                        + org.springframework.transaction.support.TransactionSynchronizationManager
                                .isActualTransactionActive());
            }
            String id = new String(record.headers().lastHeader("event-id").value(), StandardCharsets.UTF_8);
            jdbc.update("INSERT INTO " + table + " (event_id, payload) VALUES (?, ?)", id, record.value());
        }
    }

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration(
            excludeName = "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration")
    static class App {
        @Bean
        NewTopic topic(Environment env) {
            return TopicBuilder.name(env.getProperty("test.topic"))
                    .partitions(1)
                    .replicas(1)
                    .build();
        }

        /** The listener's own transaction manager, next to Boot's KafkaTransactionManager. */
        @Bean
        org.springframework.jdbc.support.JdbcTransactionManager dstm(DataSource dataSource) {
            return new org.springframework.jdbc.support.JdbcTransactionManager(dataSource);
        }

        @Bean
        Ledger ledger(JdbcTemplate jdbc, DataSource dataSource, Environment env) {
            return new Ledger(jdbc, dataSource, env.getProperty("test.ledger"));
        }
    }
}
