package io.dedup.examples.orders;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.dedup.examples.Cleanup;
import io.dedup.jdbc.JdbcDedupStore;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Runs {@link OrdersConsumer} once: 200 orders (40 of them published twice, as a publisher does when a confirm times
 * out) and one order for more than is in stock, consumed by two consumers at once; waits until every order is
 * placed and the failing one is in the dead-letter queue, prints the stock, and cleans up.
 *
 * <pre>java -cp examples/target/dedup-demo.jar io.dedup.examples.orders.RabbitOrdersExample</pre>
 *
 * Needs RabbitMQ ({@code DEDUP_RABBITMQ_URI}, default {@code amqp://guest:guest@127.0.0.1:5672}) and PostgreSQL
 * ({@code DEDUP_JDBC_URL}, {@code DEDUP_JDBC_USER}, {@code DEDUP_JDBC_PASSWORD}; default the local database {@code
 * test} as {@code postgres}).
 *
 * <p>Not thread-safe: a worked example's entry point, run once per JVM.
 */
public final class RabbitOrdersExample {
    /** Orders sent, each for 1 to 3 units of one of five skus stocked with 1,000 each. */
    static final int ORDERS = 200;

    private RabbitOrdersExample() {}

    /**
     * What a run left behind before its clean-up.
     *
     * @param ordersPlaced rows in the orders table
     * @param unitsOrdered units over the distinct orders sent (what the stock must have lost, exactly)
     * @param stock units left per sku
     * @param deadLetters messages in the dead-letter queue
     * @param storedKeys completed keys in the dedup table
     */
    public record Outcome(
            int ordersPlaced, int unitsOrdered, Map<String, Integer> stock, int deadLetters, int storedKeys) {}

    /**
     * Runs the example once and prints the orders placed, the stock left and the dead letters.
     *
     * @throws Exception if RabbitMQ or PostgreSQL cannot be reached
     */
    public static void main(String[] args) throws Exception {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        ConnectionFactory rabbit = new ConnectionFactory();
        rabbit.setUri(
                Objects.requireNonNullElse(System.getenv("DEDUP_RABBITMQ_URI"), "amqp://guest:guest@127.0.0.1:5672"));
        HikariConfig db = new HikariConfig();
        db.setJdbcUrl(
                Objects.requireNonNullElse(System.getenv("DEDUP_JDBC_URL"), "jdbc:postgresql://127.0.0.1:5432/test"));
        db.setUsername(Objects.requireNonNullElse(System.getenv("DEDUP_JDBC_USER"), "postgres"));
        db.setPassword(Objects.requireNonNullElse(System.getenv("DEDUP_JDBC_PASSWORD"), ""));
        try (HikariDataSource dataSource = new HikariDataSource(db)) {
            Outcome outcome =
                    run(rabbit, dataSource, UUID.randomUUID().toString().substring(0, 8));
            System.out.printf(
                    "%d orders placed for %d units; stock left %s; %d order in the dead-letter queue%n",
                    outcome.ordersPlaced(), outcome.unitsOrdered(), outcome.stock(), outcome.deadLetters());
        }
    }

    /**
     * Declares, publishes, consumes until done, reads the outcome, and cleans up.
     *
     * @throws Exception if RabbitMQ or PostgreSQL fails, or the orders are not all placed within a minute
     */
    public static Outcome run(ConnectionFactory rabbit, DataSource dataSource, String runId) throws Exception {
        String queue = "orders-" + runId;
        String ordersTable = "orders_" + runId;
        String stockTable = "stock_" + runId;
        String keysTable = "dedup_orders_" + runId;
        Map<String, Integer> stock = new TreeMap<>();
        for (int s = 1; s <= 5; s++) {
            stock.put("sku-" + s, 1000);
        }
        // one unit of a rare sku: the order for more of it fails every attempt and must end in the dead-letter queue
        stock.put("sku-rare", 1);
        JdbcDedupStore store = JdbcDedupStore.builder(dataSource)
                .table(keysTable)
                .createSchema(true)
                // two consumers may hold copies of one order at once: one waits on the other's row lock, not forever
                .lockTimeout(Duration.ofSeconds(10))
                .build();
        try (Connection connection = rabbit.newConnection("orders-example");
                OrdersConsumer orders = new OrdersConsumer(store, queue, ordersTable, stockTable)) {
            Channel admin = connection.createChannel();
            try {
                orders.createTables(dataSource, stock);
                OrdersConsumer.declareQueues(admin, queue);
                int units = publish(admin, queue);
                orders.consume(connection.createChannel(), queue); // two consumers, so copies of an order race
                orders.consume(connection.createChannel(), queue);
                // done when every distinct order is placed and the unfillable one is dead-lettered
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while ((count(dataSource, ordersTable) < ORDERS || admin.messageCount(queue + ".dlq") < 1)
                        && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                return new Outcome(
                        count(dataSource, ordersTable),
                        units,
                        stock(dataSource, stockTable),
                        (int) admin.messageCount(queue + ".dlq"),
                        count(dataSource, keysTable));
            } finally {
                admin.queueDelete(queue);
                admin.queueDelete(queue + ".dlq");
            }
        } finally {
            store.close();
            Cleanup.dropTables(dataSource, ordersTable, stockTable, keysTable, keysTable + "_positions");
        }
    }

    /** Publishes the orders with their duplicates and the order that cannot be filled; returns the units ordered. */
    private static int publish(Channel channel, String queue) throws Exception {
        channel.confirmSelect();
        int units = 0;
        for (int i = 0; i < ORDERS; i++) {
            Order order = new Order(String.format("o-%04d", i), "sku-" + (1 + i % 5), 1 + i % 3);
            units += order.quantity();
            send(channel, queue, order);
            if (i % 5 == 0) {
                send(channel, queue, order); // the confirm timed out; the publisher sends it again
            }
        }
        send(channel, queue, new Order("o-rare", "sku-rare", 2)); // only 1 in stock: rolled back, dead-lettered
        channel.waitForConfirmsOrDie(30_000);
        return units;
    }

    /** Publishes one order with its order id as the message id, the adapter's default key. */
    private static void send(Channel channel, String queue, Order order) throws Exception {
        AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder()
                .messageId(order.orderId())
                .contentType("application/json")
                .deliveryMode(2)
                .build();
        channel.basicPublish("", queue, properties, order.json());
    }

    /** The number of rows in {@code table}. */
    private static int count(DataSource dataSource, String table) throws SQLException {
        try (java.sql.Connection c = dataSource.getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + table)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** Units left per sku. */
    private static Map<String, Integer> stock(DataSource dataSource, String table) throws SQLException {
        Map<String, Integer> stock = new LinkedHashMap<>();
        try (java.sql.Connection c = dataSource.getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT sku, quantity FROM " + table + " ORDER BY sku")) {
            while (rs.next()) {
                stock.put(rs.getString(1), rs.getInt(2));
            }
        }
        return stock;
    }
}
