package io.dedup.examples.ledger;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.dedup.examples.Cleanup;
import io.dedup.examples.ExampleKafka;
import io.dedup.examples.Payment;
import io.dedup.examples.ledger.LedgerConsumer.LedgerTables;
import io.dedup.jdbc.JdbcDedupStore;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Runs {@link LedgerConsumer}: 300 payments (60 of them sent twice) on a three-partition topic. A first consumer
 * posts part of them and stops; then Kafka's committed offsets of the group are reset to the beginning (as an
 * operator's mistake, or offsets lost with a cluster) and a second consumer starts: it resumes from the offsets in
 * the database, and the ledger ends with each payment exactly once. Prints the ledger's totals and the offsets the
 * database holds, then cleans up.
 *
 * <pre>java -cp examples/target/dedup-demo.jar io.dedup.examples.ledger.KafkaToPostgresExample [--bootstrap-servers HOST:PORT]</pre>
 *
 * Needs PostgreSQL ({@code DEDUP_JDBC_URL}, {@code DEDUP_JDBC_USER}, {@code DEDUP_JDBC_PASSWORD}; default the local
 * database {@code test} as {@code postgres}); starts a Kafka broker unless one is named.
 *
 * <p>Not thread-safe: a worked example's entry point, run once per JVM.
 */
public final class KafkaToPostgresExample {
    /** Few enough that the example runs in seconds, enough that three partitions each see duplicates and a reset. */
    static final int PAYMENTS = 300;

    private KafkaToPostgresExample() {}

    /**
     * What a run left behind before its clean-up.
     *
     * @param postings ledger rows per payment id
     * @param balances balance per account
     * @param expectedBalances the balances each payment posted once gives
     * @param databaseOffsets the next offset per partition, as stored in the database
     * @param endOffsets the topic's end offsets
     */
    public record Outcome(
            Map<String, Integer> postings,
            Map<String, Long> balances,
            Map<String, Long> expectedBalances,
            Map<Integer, Long> databaseOffsets,
            Map<Integer, Long> endOffsets) {}

    /**
     * Runs the example and prints whether each payment was posted once and the balances came out right.
     *
     * @throws Exception if Kafka or PostgreSQL cannot be reached
     */
    public static void main(String[] args) throws Exception {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        HikariConfig db = new HikariConfig();
        db.setJdbcUrl(
                Objects.requireNonNullElse(System.getenv("DEDUP_JDBC_URL"), "jdbc:postgresql://127.0.0.1:5432/test"));
        db.setUsername(Objects.requireNonNullElse(System.getenv("DEDUP_JDBC_USER"), "postgres"));
        db.setPassword(Objects.requireNonNullElse(System.getenv("DEDUP_JDBC_PASSWORD"), ""));
        try (ExampleKafka kafka = ExampleKafka.open(args);
                HikariDataSource dataSource = new HikariDataSource(db)) {
            Outcome outcome =
                    run(kafka, dataSource, UUID.randomUUID().toString().substring(0, 8));
            long twice = outcome.postings().values().stream().filter(n -> n > 1).count();
            System.out.printf(
                    "%d payments posted, %d of them more than once; balances %s expected%n",
                    outcome.postings().size(),
                    twice,
                    outcome.balances().equals(outcome.expectedBalances()) ? "as" : "NOT as");
            System.out.printf(
                    "offsets in the database %s, end of the topic %s%n",
                    outcome.databaseOffsets(), outcome.endOffsets());
        }
    }

    /**
     * Produces, runs the two consumers, reads the outcome, and cleans up.
     *
     * @throws Exception if Kafka or PostgreSQL fails; the topic, group and tables are removed all the same
     */
    @SuppressWarnings("try") // the resources are closed by the try; the body does not name them
    public static Outcome run(ExampleKafka kafka, DataSource dataSource, String runId) throws Exception {
        String topic = "ledger-payments-" + runId;
        String group = "ledger-" + runId;
        LedgerTables tables = new LedgerTables("ledger_" + runId);
        String keysTable = "dedup_ledger_" + runId;
        kafka.createTopics(3, topic);
        tables.create(dataSource);
        JdbcDedupStore store = JdbcDedupStore.builder(dataSource)
                .table(keysTable)
                .createSchema(true)
                .build();
        try {
            Map<String, Long> expected = produce(kafka, topic);
            Duration patience = Duration.ofSeconds(60);
            // the first consumer posts about a third, then leaves: its Kafka commits are about to be thrown away
            try (LedgerConsumer first = LedgerConsumer.start(kafka.bootstrapServers(), group, topic, store, tables)) {
                awaitRows(dataSource, tables.ledger(), PAYMENTS / 3, patience);
            }
            // what an operator's mistake does: Kafka now says "start from the beginning"; the database says otherwise
            resetKafkaOffsetsToZero(kafka, group, topic);
            try (LedgerConsumer second = LedgerConsumer.start(kafka.bootstrapServers(), group, topic, store, tables)) {
                awaitRows(dataSource, tables.ledger(), PAYMENTS, patience);
                Map<Integer, Long> ends = endOffsets(kafka, topic);
                long deadline = System.nanoTime() + patience.toNanos();
                // the last transaction may commit a moment after the last row is visible to us: wait for the positions
                // to catch up
                while (!databaseOffsets(dataSource, keysTable + "_positions", group)
                                .equals(ends)
                        && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                return new Outcome(
                        postings(dataSource, tables.ledger()),
                        balances(dataSource, tables.balances()),
                        expected,
                        databaseOffsets(dataSource, keysTable + "_positions", group),
                        ends);
            }
        } finally {
            store.close();
            kafka.deleteTopics(topic);
            kafka.admin().deleteConsumerGroups(List.of(group));
            Cleanup.dropTables(dataSource, tables.ledger(), tables.balances(), keysTable, keysTable + "_positions");
        }
    }

    /** Sends the payments, a fifth of them twice; returns the balances each payment posted once gives. */
    private static Map<String, Long> produce(ExampleKafka kafka, String topic) {
        Map<String, Long> balances = new TreeMap<>();
        List<ProducerRecord<String, String>> records = new ArrayList<>();
        for (int i = 0; i < PAYMENTS; i++) {
            // eleven accounts, so a payment posted twice would show in a balance, not only in the postings
            Payment payment = new Payment(String.format("pay-%04d", i), "acct-" + (i % 11), 100 + i);
            balances.merge(payment.account(), payment.amountCents(), Long::sum);
            int copies = i % 5 == 0 ? 2 : 1;
            for (int c = 0; c < copies; c++) {
                ProducerRecord<String, String> record = new ProducerRecord<>(topic, payment.account(), payment.json());
                record.headers().add("idempotency-key", payment.paymentId().getBytes(StandardCharsets.UTF_8));
                records.add(record);
            }
        }
        kafka.send(records);
        return balances;
    }

    /** Kafka's committed offsets can be moved only while the group has no members: retry until the first left. */
    private static void resetKafkaOffsetsToZero(ExampleKafka kafka, String group, String topic) throws Exception {
        // zero for every partition: left alone, Kafka's offsets would make the second consumer skip what the first did
        Map<TopicPartition, OffsetAndMetadata> zero = new HashMap<>();
        for (int p = 0; p < 3; p++) {
            zero.put(new TopicPartition(topic, p), new OffsetAndMetadata(0));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                kafka.admin().alterConsumerGroupOffsets(group, zero).all().get(10, TimeUnit.SECONDS);
                return;
            } catch (java.util.concurrent.ExecutionException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    /** The topic's end offset per partition: where the database's positions must end up. */
    private static Map<Integer, Long> endOffsets(ExampleKafka kafka, String topic) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int p = 0; p < 3; p++) {
            latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        Map<Integer, Long> ends = new TreeMap<>();
        kafka.admin()
                .listOffsets(latest)
                .all()
                .get(30, TimeUnit.SECONDS)
                .forEach((partition, info) -> ends.put(partition.partition(), info.offset()));
        return ends;
    }

    /**
     * Waits until the ledger holds postings of at least {@code rows} payments, or {@code patience} ran out (the caller's
     * checks then fail with what is there).
     */
    private static void awaitRows(DataSource dataSource, String table, int rows, Duration patience) throws Exception {
        long deadline = System.nanoTime() + patience.toNanos();
        while (postings(dataSource, table).size() < rows && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
    }

    /** Ledger rows per payment id: a value above 1 is a payment posted twice. */
    private static Map<String, Integer> postings(DataSource dataSource, String ledger) throws SQLException {
        Map<String, Integer> postings = new TreeMap<>();
        try (Connection c = dataSource.getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT payment_id, COUNT(*) FROM " + ledger + " GROUP BY payment_id")) {
            while (rs.next()) {
                postings.put(rs.getString(1), rs.getInt(2));
            }
        }
        return postings;
    }

    /** The balance table, per account. */
    private static Map<String, Long> balances(DataSource dataSource, String table) throws SQLException {
        Map<String, Long> balances = new TreeMap<>();
        try (Connection c = dataSource.getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT account, balance_cents FROM " + table)) {
            while (rs.next()) {
                balances.put(rs.getString(1), rs.getLong(2));
            }
        }
        return balances;
    }

    /** The positions the Kafka adapter saved in the store's transactions. */
    private static Map<Integer, Long> databaseOffsets(DataSource dataSource, String positionsTable, String group)
            throws SQLException {
        Map<Integer, Long> offsets = new TreeMap<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement(
                        "SELECT partition_no, next_position FROM " + positionsTable + " WHERE namespace = ?")) {
            s.setString(1, group);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    offsets.put(rs.getInt(1), rs.getLong(2));
                }
            }
        }
        return offsets;
    }
}
