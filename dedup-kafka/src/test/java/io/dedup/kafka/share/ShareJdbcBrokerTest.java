package io.dedup.kafka.share;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import io.dedup.jdbc.JdbcDedupStore;
import io.dedup.kafka.Ledger;
import io.dedup.kafka.TestPostgres;
import io.dedup.testkit.LocalServices;
import io.dedup.testkit.ServiceEndpoint;
import io.dedup.testkit.TcpProxy;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The share-group runner against a real broker and PostgreSQL: transactional mode with two consumers holding one
 * record, a store outage, and a consumer JVM killed in its handler.
 */
class ShareJdbcBrokerTest {
    private final String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    private final String keysTable = "share_keys_" + suffix;
    private final String ledgerTable = "share_ledger_" + suffix;
    private Ledger ledger;
    private final ShareRunners runners = new ShareRunners();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final SimpleMeterRegistry registry = runners.registry;
    private ServiceEndpoint pg;
    private HikariDataSource dataSource;

    @BeforeEach
    void database() throws Exception {
        pg = LocalServices.postgres();
        dataSource = TestPostgres.pool();
        ledger = Ledger.create(dataSource, ledgerTable);
    }

    @AfterEach
    void dropTables() throws Exception {
        runners.close();
        for (AutoCloseable closeable : closeables) {
            closeable.close();
        }
        ledger.dropWith(keysTable, keysTable + "_positions");
        dataSource.close();
    }

    private JdbcDedupStore store(HikariDataSource source) {
        JdbcDedupStore store = JdbcDedupStore.builder(source)
                .table(keysTable)
                .createSchema(true)
                .build();
        closeables.add(0, store);
        return store;
    }

    private KafkaShareDedupRunner<String, String> start(KafkaShareDedupRunnerBuilder<String, String> builder) {
        return runners.start(builder);
    }

    private KafkaShareDedupRunnerBuilder<String, String> builder(
            String group, String topic, JdbcDedupStore store, Deserializer<String> values) {
        return runners.builder(group, topic, store, values);
    }

    private Map<String, Integer> ledgerCounts() throws Exception {
        return ledger.counts();
    }

    private int completedKeys() throws Exception {
        try (Connection c = dataSource.getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM " + keysTable + " WHERE state = 'COMPLETED'")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private void insert(Connection connection, String key, String value) throws Exception {
        ledger.insert(connection, key, value);
    }

    @Test
    void transactional_mode_applies_one_effect_per_key_when_two_consumers_hold_the_same_record() throws Exception {
        String topic = ShareKafka.topic("share-tx", 1);
        // no renewal: the slow handler's lock expires and the broker hands its record to the other consumer
        String group = ShareRunners.group(Duration.ofSeconds(2), false, 10);
        JdbcDedupStore store = store(dataSource);
        CountDownLatch slowStarted = new CountDownLatch(1);
        CountDownLatch otherHoldsIt = new CountDownLatch(1);
        AtomicInteger slowRuns = new AtomicInteger();
        TransactionalShareHandler<String, String> handler = (record, delivery, tx) -> {
            Connection connection = tx.resource(Connection.class).orElseThrow();
            String key =
                    new String(record.headers().lastHeader("idempotency-key").value(), StandardCharsets.UTF_8);
            insert(connection, key, record.value());
            if (record.value().equals("slow") && slowRuns.incrementAndGet() == 1) {
                slowStarted.countDown();
                otherHoldsIt.await(60, TimeUnit.SECONDS); // longer than the lock: the other consumer gets the record
            }
        };
        start(builder(group, topic, store, new StringDeserializer())
                .lockRenewal(false)
                .transactionalStore(handler));
        ShareKafka.send(List.of(ShareKafka.message(topic, 0, "slow-key", "slow")));
        assertThat(slowStarted.await(60, TimeUnit.SECONDS)).isTrue();

        // the second consumer sees the record once the first one's lock expired (its deserializer is the witness)
        Deserializer<String> witness = new StringDeserializer() {
            @Override
            public String deserialize(String topic, byte[] data) {
                String value = super.deserialize(topic, data);
                if ("slow".equals(value)) {
                    otherHoldsIt.countDown();
                }
                return value;
            }
        };
        start(builder(group, topic, store, witness).lockRenewal(false).transactionalStore(handler));
        List<ProducerRecord<String, String>> more = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            more.add(ShareKafka.message(topic, 0, "key-" + i, "v" + i));
        }
        ShareKafka.send(more);

        await().atMost(Duration.ofSeconds(90)).until(() -> ledgerCounts().size() == 11);
        await().atMost(Duration.ofSeconds(60)).until(() -> ShareKafka.acks(registry, "ACCEPT") >= 11);
        assertThat(otherHoldsIt.getCount()).isZero();
        assertThat(ledgerCounts().values())
                .allSatisfy(count -> assertThat(count).isEqualTo(1));
    }

    @Test
    void a_store_outage_accepts_nothing_and_processing_resumes_when_the_store_is_back() throws Exception {
        String topic = ShareKafka.topic("share-outage", 1);
        String group = ShareRunners.group(Duration.ofSeconds(5), true, 5);
        store(dataSource); // creates the table directly, before the proxy is cut
        TcpProxy proxy = TcpProxy.start(pg.host(), pg.port());
        closeables.add(proxy);
        HikariDataSource proxied = TestPostgres.pool(proxy.host(), proxy.port());
        closeables.add(proxied);
        JdbcDedupStore store = store(proxied);
        Map<String, AtomicInteger> runs = new java.util.concurrent.ConcurrentHashMap<>();
        start(builder(group, topic, store, new StringDeserializer())
                .storeBackoff(Duration.ofMillis(100), Duration.ofMillis(500))
                .handler((record, delivery) -> {
                    ShareRunners.count(runs, record);
                    try (Connection c = dataSource.getConnection()) {
                        insert(c, record.value(), record.value());
                    }
                }));
        proxy.cut();
        proxy.refuse();
        ShareKafka.send(ShareRunners.keyed(topic, 5));

        await().atMost(Duration.ofSeconds(60))
                .until(() -> registry.find("dedup.kafka.share.store.backoffs").counters().stream()
                                .mapToDouble(c -> c.count())
                                .sum()
                        >= 3);
        assertThat(ShareKafka.acks(registry, "ACCEPT")).isZero();
        assertThat(ShareKafka.acks(registry, "RELEASE")).isZero();
        assertThat(runs).isEmpty();

        proxy.restore();
        await().atMost(Duration.ofSeconds(60)).until(() -> ShareKafka.acks(registry, "ACCEPT") >= 5);
        assertThat(runs).hasSize(5);
        assertThat(runs.values()).allSatisfy(count -> assertThat(count.get()).isEqualTo(1));
        assertThat(ledgerCounts().values())
                .allSatisfy(count -> assertThat(count).isEqualTo(1));
    }

    @Test
    void a_consumer_killed_in_its_handler_loses_no_record_another_takes_over_after_the_lock() throws Exception {
        String topic = ShareKafka.topic("share-kill", 1);
        String group = ShareRunners.group(Duration.ofSeconds(3), true, 5);
        JdbcDedupStore store = store(dataSource);
        List<ProducerRecord<String, String>> records = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            records.add(ShareKafka.message(topic, 0, "key-" + i, i == 4 ? "hang" : "v" + i));
        }
        ShareKafka.send(records);

        Process child = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx128m",
                        "-XX:TieredStopAtLevel=1",
                        "-cp",
                        System.getProperty("java.class.path"),
                        ShareChild.class.getName(),
                        ShareKafka.broker().bootstrapServers(),
                        group,
                        topic,
                        pg.jdbcUrl(),
                        pg.user(),
                        pg.password() == null ? "" : pg.password(),
                        keysTable,
                        ledgerTable)
                .redirectErrorStream(true)
                .start();
        try {
            BufferedReader out =
                    new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            String line;
            boolean hanging = false;
            while (!hanging && (line = out.readLine()) != null) {
                hanging = line.contains(ShareChild.HANGING);
            }
            assertThat(hanging).as("the child reached its hanging handler").isTrue();
            // the handlers that finished before the hanging one have their completions written while it hangs
            await().atMost(Duration.ofSeconds(30)).until(() -> completedKeys() >= 4);
        } finally {
            child.destroyForcibly(); // SIGKILL: no ack, no release, no close
            child.waitFor(30, TimeUnit.SECONDS);
        }

        start(builder(group, topic, store, new StringDeserializer()).handler((record, delivery) -> {
            try (Connection c = dataSource.getConnection()) {
                insert(c, record.value(), record.value());
            }
        }));
        await().atMost(Duration.ofSeconds(90)).until(() -> ledgerCounts().size() == 10);
        Map<String, Integer> counts = ledgerCounts();
        // the killed handler had written its effect before hanging: leased mode repeats a handler that died
        assertThat(counts.get("hang")).isEqualTo(2);
        counts.remove("hang");
        assertThat(counts.values()).allSatisfy(count -> assertThat(count).isEqualTo(1));
    }
}
