package io.dedup.examples.orders;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Delivery;
import io.dedup.DedupResult;
import io.dedup.jdbc.JdbcDedupStore;
import io.dedup.jdbc.TransactionContext;
import io.dedup.jdbc.TransactionalDedup;
import io.dedup.rabbitmq.RabbitKeys;
import java.io.IOException;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * RabbitMQ order handling with the PostgreSQL store in transactional mode: each order reserves stock and records
 * the order, and those two writes commit in <em>one</em> database transaction with the order's idempotency key
 * (its AMQP message-id). So an order's effect happens exactly once, even when the consumer dies between its writes
 * and its ack, when the publisher sent it twice, or when two consumers get copies at the same moment (the second
 * waits for the first's row lock, then finds the key completed).
 *
 * <p>The delivery is acked after the commit. An order that fails (out of stock) rolls back entirely, is tried once
 * more after a second, then goes to {@code <queue>.dlq}. The RabbitMQ adapter ({@code RabbitDedup}) runs in leased
 * mode; the transactional mode is used here by calling {@link TransactionalDedup} from a plain callback and acking
 * by its disposition.
 *
 * <p>Thread-safe; one instance serves any number of channels.
 */
public final class OrdersConsumer implements AutoCloseable {
    /** Claim, the order's writes and completion in one transaction per delivery. */
    private final TransactionalDedup<Delivery> dedup;
    /** Where placed orders go; the order id is its primary key, so a second insert would fail loudly. */
    private final String ordersTable;
    /** Units per sku; an order decrements its sku's row in the same transaction. */
    private final String stockTable;
    /**
     * Requeues deferred deliveries after a delay, off the dispatch thread, so the channel keeps delivering meanwhile.
     */
    private final ScheduledExecutorService later = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "orders-requeue");
        thread.setDaemon(true);
        return thread;
    });

    /**
     * @param store the JDBC store on the database that holds the orders and stock tables
     * @param queue the work queue; also the namespace of the keys
     */
    public OrdersConsumer(JdbcDedupStore store, String queue, String ordersTable, String stockTable) {
        this.dedup = TransactionalDedup.builder(store, RabbitKeys.messageId())
                .namespace(Objects.requireNonNull(queue, "queue"))
                .build();
        this.ordersTable = identifier(ordersTable, "ordersTable");
        this.stockTable = identifier(stockTable, "stockTable");
    }

    /**
     * Declares the work queue, dead-lettering to {@code <queue>.dlq}, and that queue.
     *
     * @throws IOException if the broker refuses a declaration (for example, the queue exists with other arguments)
     */
    public static void declareQueues(Channel channel, String queue) throws IOException {
        // durable: orders must survive a broker restart; rejected deliveries go to <queue>.dlq by the broker itself
        channel.queueDeclare(queue + ".dlq", true, false, false, null);
        channel.queueDeclare(
                queue,
                true,
                false,
                false,
                Map.of("x-dead-letter-exchange", "", "x-dead-letter-routing-key", queue + ".dlq"));
    }

    /**
     * Registers this consumer on {@code channel}, with manual acks.
     *
     * @return the consumer tag
     * @throws IOException if the broker refuses the consumer
     */
    public String consume(Channel channel, String queue) throws IOException {
        // a window of 50: enough for throughput, small enough that a crash redelivers little
        channel.basicQos(50);
        return channel.basicConsume(
                queue,
                false,
                (tag, delivery) -> settle(channel, delivery, dedup.process(delivery, this::place)),
                tag -> {});
    }

    /** The order's effects, written through the transaction that also holds its key. */
    private void place(Delivery delivery, TransactionContext tx) throws SQLException {
        Order order = Order.parse(delivery.getBody());
        try (PreparedStatement reserve = tx.connection()
                .prepareStatement(
                        "UPDATE " + stockTable + " SET quantity = quantity - ? WHERE sku = ? AND quantity >= ?")) {
            reserve.setInt(1, order.quantity());
            reserve.setString(2, order.sku());
            reserve.setInt(3, order.quantity());
            if (reserve.executeUpdate() == 0) {
                throw new OutOfStockException(order); // rolls back: nothing of this order is written
            }
        }
        try (PreparedStatement insert = tx.connection()
                .prepareStatement("INSERT INTO " + ordersTable + " (order_id, sku, quantity) VALUES (?, ?, ?)")) {
            insert.setString(1, order.orderId());
            insert.setString(2, order.sku());
            insert.setInt(3, order.quantity());
            insert.executeUpdate();
        }
    }

    /** Acts on what dedup decided: ack, requeue after a delay, back off, or dead-letter and ack. */
    private void settle(Channel channel, Delivery delivery, DedupResult<Void> result) throws IOException {
        long tag = delivery.getEnvelope().getDeliveryTag();
        switch (result.disposition()) {
            case ACK -> channel.basicAck(tag, false); // placed now, or a duplicate of an order placed before
            case DEAD_LETTER -> channel.basicReject(tag, false); // no message-id: to <queue>.dlq
            case RETRY_OR_DEAD_LETTER -> {
                if (delivery.getEnvelope().isRedeliver()) {
                    channel.basicReject(tag, false); // failed again: to <queue>.dlq for a person to look at
                } else {
                    requeueLater(channel, tag); // rolled back, nothing written: once more
                }
            }
            case DEFER, BACK_OFF -> requeueLater(channel, tag); // key held elsewhere, or the database is down
        }
    }

    /** Requeues after a second, never in a tight loop. */
    private void requeueLater(Channel channel, long tag) {
        later.schedule(
                () -> {
                    try {
                        channel.basicNack(tag, false, true);
                    } catch (IOException | RuntimeException e) {
                        // the channel closed: the broker requeues the delivery itself
                    }
                },
                1,
                TimeUnit.SECONDS);
    }

    /**
     * Creates the example's tables and stocks every sku with {@code quantity}.
     *
     * @throws SQLException if the tables cannot be created or the stock already holds a sku
     */
    public void createTables(javax.sql.DataSource dataSource, Map<String, Integer> stock) throws SQLException {
        try (java.sql.Connection c = dataSource.getConnection();
                java.sql.Statement ddl = c.createStatement()) {
            ddl.execute("CREATE TABLE IF NOT EXISTS " + ordersTable
                    + " (order_id VARCHAR(64) PRIMARY KEY, sku VARCHAR(64) NOT NULL, quantity INTEGER NOT NULL)");
            ddl.execute("CREATE TABLE IF NOT EXISTS " + stockTable
                    + " (sku VARCHAR(64) PRIMARY KEY, quantity INTEGER NOT NULL CHECK (quantity >= 0))");
            try (PreparedStatement insert =
                    c.prepareStatement("INSERT INTO " + stockTable + " (sku, quantity) VALUES (?, ?)")) {
                for (Map.Entry<String, Integer> sku : stock.entrySet()) {
                    insert.setString(1, sku.getKey());
                    insert.setInt(2, sku.getValue());
                    insert.addBatch();
                }
                insert.executeBatch();
            }
        }
    }

    /** Stops the delayed requeues; deliveries not yet settled return to the queue when their channel closes. */
    @Override
    public void close() {
        later.shutdownNow();
    }

    /**
     * {@code name} if it is a plain SQL identifier, since it goes into SQL text; otherwise a failure naming {@code what}.
     */
    private static String identifier(String name, String what) {
        Objects.requireNonNull(name, what);
        if (!name.matches("[A-Za-z_][A-Za-z0-9_]{0,62}")) {
            throw new IllegalArgumentException(what + " must be a plain SQL identifier, got " + name);
        }
        return name;
    }
}
