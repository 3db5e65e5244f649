package io.dedup.spring.kafka;

import java.sql.SQLException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.transaction.annotation.Transactional;

/**
 * JDBC transactional mode with the application's one transaction manager, Boot's on its DataSource (PostgreSQL): the
 * claim joins the listener's {@code @Transactional} transaction, so the ledger row and the key commit together;
 * duplicates sent while the consumer is stopped, and redelivered after it restarts, add no row.
 */
@SpringBootTest(classes = KafkaTransactionalListenerTest.App.class)
class KafkaTransactionalListenerTest extends TransactionalLedgerContract {
    @Override
    void send(String... eventIds) {
        for (String eventId : eventIds) {
            template.send(TestKafka.record(topic, "amount of ", eventId));
        }
        template.flush();
    }

    /** The listener, in the transaction of the application's only transaction manager. */
    static class TransactionalLedger extends Ledger {
        @Transactional
        @KafkaListener(id = "ledger", groupId = "${test.group}", topics = "${test.topic}")
        public void onRecord(ConsumerRecord<String, String> record) throws SQLException {
            write(record);
        }
    }

    @LedgerApplication
    @Import(TransactionalLedger.class)
    static class App {}
}
