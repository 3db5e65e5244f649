package io.dedup.spring.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.util.UUID;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.kafka.annotation.KafkaListener;
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
class KafkaChainedTransactionTest extends TransactionalLedgerContract {
    static final String TOPIC = TestKafka.unique("chained");
    static final String GROUP = TestKafka.unique("chained-group");
    static final String RUN = UUID.randomUUID().toString().substring(0, 8).replace('-', '_');
    static final String LEDGER = "boot_chained_ledger_" + RUN;
    static final String KEYS = "boot_chained_keys_" + RUN;

    @DynamicPropertySource
    static void services(DynamicPropertyRegistry registry) {
        connect(registry, TOPIC, GROUP, LEDGER, KEYS);
        registry.add("spring.kafka.producer.transaction-id-prefix", () -> "dedup-chained-" + RUN + "-");
        registry.add("spring.kafka.consumer.isolation-level", () -> "read_committed");
    }

    KafkaChainedTransactionTest() {
        super(LEDGER, KEYS);
    }

    /** Each record in a Kafka transaction of its own: the template is transactional, and consumers read committed. */
    @Override
    void send(String... eventIds) {
        for (String eventId : eventIds) {
            template.executeInTransaction(t -> t.send(TestKafka.record(TOPIC, "amount of ", eventId)));
        }
    }

    @Override
    void checkSetUp() {
        assertThat(registry.getListenerContainer("ledger")
                        .getContainerProperties()
                        .getKafkaAwareTransactionManager())
                .as("the container runs with Kafka's transaction manager")
                .isNotNull();
    }

    /** The listener, in the database transaction of {@code dstm}, nested in the container's Kafka transaction. */
    static class ChainedLedger extends Ledger {
        ChainedLedger(JdbcTemplate jdbc, DataSource dataSource) {
            super(jdbc, dataSource, LEDGER, KEYS);
        }

        @Transactional("dstm")
        @KafkaListener(id = "ledger", groupId = "${test.group}", topics = "${test.topic}")
        public void onRecord(ConsumerRecord<String, String> record) throws SQLException {
            write(record);
        }
    }

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration(
            excludeName = "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration")
    static class App {
        @Bean
        NewTopic topic() {
            return TestKafka.topic(TOPIC);
        }

        @Bean
        ChainedLedger ledger(JdbcTemplate jdbc, DataSource dataSource) {
            return new ChainedLedger(jdbc, dataSource);
        }

        /** The listener's own transaction manager, next to Boot's KafkaTransactionManager. */
        @Bean
        JdbcTransactionManager dstm(DataSource dataSource) {
            return new JdbcTransactionManager(dataSource);
        }
    }
}
