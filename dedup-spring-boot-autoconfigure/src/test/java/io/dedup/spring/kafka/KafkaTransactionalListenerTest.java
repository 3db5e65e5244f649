package io.dedup.spring.kafka;

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
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.annotation.Transactional;

/**
 * JDBC transactional mode with the application's one transaction manager, Boot's on its DataSource (PostgreSQL): the
 * claim joins the listener's {@code @Transactional} transaction, so the ledger row and the key commit together;
 * duplicates sent while the consumer is stopped, and redelivered after it restarts, add no row.
 */
@SpringBootTest(classes = KafkaTransactionalListenerTest.App.class)
class KafkaTransactionalListenerTest extends TransactionalLedgerContract {
    static final String TOPIC = TestKafka.unique("ledger");
    static final String GROUP = TestKafka.unique("ledger-group");
    static final String RUN = UUID.randomUUID().toString().substring(0, 8).replace('-', '_');
    static final String LEDGER = "boot_ledger_" + RUN;
    static final String KEYS = "boot_dedup_keys_" + RUN;

    @DynamicPropertySource
    static void services(DynamicPropertyRegistry registry) {
        connect(registry, TOPIC, GROUP, LEDGER, KEYS);
    }

    KafkaTransactionalListenerTest() {
        super(LEDGER, KEYS);
    }

    @Override
    void send(String... eventIds) {
        for (String eventId : eventIds) {
            template.send(TestKafka.record(TOPIC, "amount of ", eventId));
        }
        template.flush();
    }

    /** The listener, in the transaction of the application's only transaction manager. */
    static class TransactionalLedger extends Ledger {
        TransactionalLedger(JdbcTemplate jdbc, DataSource dataSource) {
            super(jdbc, dataSource, LEDGER, KEYS);
        }

        @Transactional
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
        TransactionalLedger ledger(JdbcTemplate jdbc, DataSource dataSource) {
            return new TransactionalLedger(jdbc, dataSource);
        }
    }
}
