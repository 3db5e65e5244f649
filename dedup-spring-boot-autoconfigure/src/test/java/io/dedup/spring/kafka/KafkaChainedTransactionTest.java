package io.dedup.spring.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
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
@SpringBootTest(
        classes = KafkaChainedTransactionTest.App.class,
        properties = "spring.kafka.consumer.isolation-level=read_committed")
class KafkaChainedTransactionTest extends TransactionalLedgerContract {
    /** Kafka transactions, with an id prefix of this run's own on the shared broker. */
    @DynamicPropertySource
    static void transactions(DynamicPropertyRegistry registry) {
        String transactionIdPrefix = TestKafka.unique("dedup-chained") + "-";
        registry.add("spring.kafka.producer.transaction-id-prefix", () -> transactionIdPrefix);
    }

    /** Each record in a Kafka transaction of its own: the template is transactional, and consumers read committed. */
    @Override
    void send(String... eventIds) {
        for (String eventId : eventIds) {
            template.executeInTransaction(t -> t.send(TestKafka.record(topic, "amount of ", eventId)));
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
        @Transactional("dstm")
        @KafkaListener(id = "ledger", groupId = "${test.group}", topics = "${test.topic}")
        public void onRecord(ConsumerRecord<String, String> record) throws SQLException {
            write(record);
        }
    }

    @LedgerApplication
    @Import(ChainedLedger.class)
    static class App {
        /** The listener's own transaction manager, next to Boot's KafkaTransactionManager. */
        @Bean
        JdbcTransactionManager dstm(DataSource dataSource) {
            return new JdbcTransactionManager(dataSource);
        }
    }
}
