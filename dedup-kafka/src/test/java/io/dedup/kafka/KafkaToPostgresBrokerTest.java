package io.dedup.kafka;

import static io.dedup.kafka.Kafka.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import io.dedup.jdbc.JdbcDedupStore;
import io.dedup.spi.StoreTransaction;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Kafka to PostgreSQL exactly once, with the JDBC store in transactional mode, against a real broker. */
class KafkaToPostgresBrokerTest {
    private final String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    private final String keysTable = "kafka_keys_" + suffix;
    private final String ledgerTable = "kafka_ledger_" + suffix;
    private Ledger ledger;
    private HikariDataSource dataSource;
    private JdbcDedupStore store;

    @BeforeEach
    void database() throws Exception {
        dataSource = TestPostgres.pool();
        store = JdbcDedupStore.builder(dataSource)
                .table(keysTable)
                .createSchema(true)
                .build();
        ledger = Ledger.create(dataSource, ledgerTable);
    }

    @AfterEach
    void dropTables() throws Exception {
        store.close();
        ledger.dropWith(keysTable, keysTable + "_positions");
        dataSource.close();
    }

    @Test
    void a_restarted_consumer_resumes_from_the_offsets_in_the_database_and_the_ledger_is_exact() throws Exception {
        String topic = Kafka.topic("to-db", 2);
        String group = Kafka.unique("group");
        List<ProducerRecord<String, String>> first = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            first.add(message(topic, i % 2, "k" + (i % 30), "v" + i)); // 30 keys, 10 duplicated across partitions
        }
        first.add(message(topic, 0, "flaky", "fails once, after writing"));
        Kafka.send(first);

        AtomicInteger flaky = new AtomicInteger();
        try (KafkaDedupRunner<String, String> runner = runner(group, topic, (record, tx) -> {
            insert(tx.resource(Connection.class), record.headers(), record.value());
            if (record.value().startsWith("fails once") && flaky.getAndIncrement() == 0) {
                throw new IllegalStateException("rolled back with the ledger row it wrote");
            }
        })) {
            runner.start();
            awaitPositionsAtEnd(group, topic);
        }
        assertThat(flaky).hasValue(2); // its first transaction was rolled back, ledger row included
        assertThat(ledgerCounts()).hasSize(31).allSatisfy((key, rows) -> assertThat(rows)
                .isOne());

        // Kafka's committed offsets are only informational in this mode: lose them, as an async commit that never
        // made it before a crash would. The restarted consumer must start from the database's offsets anyway.
        try (Admin admin = Kafka.admin()) {
            admin.alterConsumerGroupOffsets(
                            group,
                            Map.of(
                                    new TopicPartition(topic, 0), new OffsetAndMetadata(0),
                                    new TopicPartition(topic, 1), new OffsetAndMetadata(0)))
                    .all()
                    .get();
        }
        List<ProducerRecord<String, String>> second = new ArrayList<>();
        for (int i = 20; i < 40; i++) {
            second.add(message(topic, i % 2, "k" + i, "again" + i)); // k20..k29 are duplicates, k30..k39 new
        }
        Kafka.send(second);

        AtomicInteger secondRuns = new AtomicInteger();
        try (KafkaDedupRunner<String, String> runner = runner(group, topic, (record, tx) -> {
            secondRuns.incrementAndGet();
            insert(tx.resource(Connection.class), record.headers(), record.value());
        })) {
            runner.start();
            awaitPositionsAtEnd(group, topic);
        }
        assertThat(secondRuns).hasValue(10); // only the new keys: nothing of the first run was read again
        assertThat(ledgerCounts()).hasSize(41).allSatisfy((key, rows) -> assertThat(rows)
                .isOne());
    }

    private KafkaDedupRunner<String, String> runner(
            String group, String topic, TransactionalRecordHandler<String, String> handler) {
        return KafkaDedupRunner.builder(Kafka.consumerConfig(group), new StringDeserializer(), new StringDeserializer())
                .topics(topic)
                .dedup(KafkaDedup.builder().store(store).retries(3, Duration.ofMillis(50), Duration.ofMillis(100)))
                .pollTimeout(Duration.ofMillis(200))
                .transactionalStore(handler)
                .build();
    }

    private void insert(Connection connection, org.apache.kafka.common.header.Headers headers, String value)
            throws Exception {
        String key = new String(
                headers.lastHeader(RecordKeys.DEFAULT_HEADER).value(), java.nio.charset.StandardCharsets.UTF_8);
        ledger.insert(connection, key, value);
    }

    private void awaitPositionsAtEnd(String group, String topic) {
        Map<TopicPartition, Long> end = Kafka.endOffsets(topic);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            try (StoreTransaction tx = store.begin()) {
                Map<TopicPartition, Long> stored = new HashMap<>();
                tx.positions(group, topic).forEach((p, next) -> stored.put(new TopicPartition(topic, p), next));
                assertThat(stored).isEqualTo(end);
            }
        });
    }

    private Map<String, Integer> ledgerCounts() throws Exception {
        return ledger.counts();
    }
}
