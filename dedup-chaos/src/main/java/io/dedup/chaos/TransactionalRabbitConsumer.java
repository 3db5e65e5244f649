package io.dedup.chaos;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.Delivery;
import io.dedup.DedupResult;
import io.dedup.jdbc.JdbcDedupStore;
import io.dedup.jdbc.TransactionalDedup;
import io.dedup.jdbc.TransactionalHandler;
import io.dedup.rabbitmq.DedupHeaders;
import io.dedup.rabbitmq.RabbitKeys;
import io.dedup.rabbitmq.RetryTopology;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Transactional mode over RabbitMQ, written the way docs/jdbc-store.md shows an application doing it: per delivery,
 * {@link TransactionalDedup#process} (claim, the effect on the transaction's connection, completion, one commit),
 * then act on the disposition: ack, back off and try again, requeue after a delay, or dead-letter.
 *
 * <p>It is deliberately not built on the adapter's own acking: the chaos suite holds transactional mode to "zero
 * duplicate effects", and that claim is only worth something if it holds for the code an application writes
 * itself from the docs.
 *
 * <p>Thread-safety: each channel's deliveries are settled on that channel's dispatch thread, one at a time;
 * {@link #close()} may come from any thread.
 */
final class TransactionalRabbitConsumer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TransactionalRabbitConsumer.class);

    /**
     * The consumer's one connection; every queue gets its own channel on it, so one channel's dispatch thread never
     * waits for another queue's deliveries.
     */
    private final Connection connection;

    private final JdbcDedupStore store;
    /**
     * Set by {@link #close()} so that a delivery backing off from an unavailable store gives up and leaves the delivery
     * to the broker, instead of holding the dispatch thread while the connection closes.
     */
    private volatile boolean closing;

    private TransactionalRabbitConsumer(Connection connection, JdbcDedupStore store) {
        this.connection = connection;
        this.store = store;
    }

    /**
     * Builds the transactional dedup from {@code settings}, declares each queue's retry topology and starts consuming
     * every queue named in {@code queues}. Publisher confirms are on because a dead letter must be confirmed before the
     * delivery is acked: otherwise a crash between the two would lose the message.
     *
     * @throws Exception if the store, the broker or a queue declaration fails; the child process then exits and the
     *     run counts it as a crash
     */
    static TransactionalRabbitConsumer start(ConsumerSettings settings, PointGate gate, LedgerWriter ledger)
            throws Exception {
        JdbcDedupStore store = StoreFactory.jdbc(settings);
        TransactionalDedup.Builder<Delivery> builder = TransactionalDedup.builder(
                        store, RabbitKeys.parse(settings.get("keys", "message-id")))
                .namespace(settings.get("namespace"))
                .settings(settings.dedupSettings());
        if (settings.flag("fingerprint")) {
            builder.fingerprint(Delivery::getBody);
        }
        TransactionalDedup<Delivery> dedup = builder.build();
        KeyWork work = new KeyWork(settings, gate, ledger);
        // the effect row is written on the transaction's connection: it commits with the key's completion or not at all
        TransactionalHandler<Delivery> handler = (delivery, tx) -> work.run(
                tx.key().id(), tx.claim().token(), (key, token) -> ledger.effectIn(tx.connection(), key, token));
        Connection connection = RabbitConnections.open(settings);
        TransactionalRabbitConsumer consumer = new TransactionalRabbitConsumer(connection, store);
        long redelivery = settings.number("redeliveryMillis", 500);
        long backoffMax = settings.number("backoffMaxMillis", 1000);
        for (String queue : settings.list("queues")) {
            Channel channel = connection.createChannel();
            RetryTopology.of(queue).declare(channel);
            channel.confirmSelect();
            channel.basicQos((int) settings.number("prefetch", 20));
            channel.basicConsume(
                    queue,
                    false,
                    (tag, delivery) ->
                            consumer.settle(channel, queue, delivery, dedup, handler, gate, redelivery, backoffMax),
                    tag -> {});
        }
        return consumer;
    }

    // DEFER and RETRY_OR_DEAD_LETTER both hand the delivery back to the broker after a pause: never a hot nack loop
    /** Runs on the channel's dispatch thread, one delivery at a time. */
    private void settle(
            Channel channel,
            String queue,
            Delivery delivery,
            TransactionalDedup<Delivery> dedup,
            TransactionalHandler<Delivery> handler,
            PointGate gate,
            long redelivery,
            long backoffMax)
            throws IOException {
        long tag = delivery.getEnvelope().getDeliveryTag();
        long backoff = 100;
        while (true) {
            DedupResult<Void> result = dedup.process(delivery, handler);
            switch (result.disposition()) {
                case ACK -> {
                    if (result instanceof DedupResult.Processed<Void> processed) {
                        gate.hit(
                                KillPoint.AFTER_COMPLETE,
                                processed.claim().key().id());
                    }
                    channel.basicAck(tag, false);
                    return;
                }
                case BACK_OFF -> {
                    if (closing || !channel.isOpen()) {
                        return; // the broker redelivers it
                    }
                    LOG.debug("store unavailable, backing off {} ms: {}", backoff, result);
                    Pause.millis(backoff);
                    backoff = Math.min(backoffMax, backoff * 2);
                }
                case DEFER, RETRY_OR_DEAD_LETTER -> {
                    LOG.info("requeueing after {} ms: {}", redelivery, result);
                    Pause.millis(redelivery);
                    channel.basicNack(tag, false, true);
                    return;
                }
                case DEAD_LETTER -> {
                    deadLetter(channel, queue, delivery, result);
                    channel.basicAck(tag, false);
                    return;
                }
            }
        }
    }

    /**
     * Publishes {@code delivery} to the queue's dead-letter queue with the reason in the adapter's headers, the way an
     * application following docs/jdbc-store.md would, and waits for the broker's confirm.
     *
     * @throws IOException if the publish is not confirmed within 5 s; the caller then does not ack, and the broker
     *     redelivers
     */
    private static void deadLetter(Channel channel, String queue, Delivery delivery, DedupResult<Void> result)
            throws IOException {
        Map<String, Object> headers = new HashMap<>();
        if (delivery.getProperties().getHeaders() != null) {
            headers.putAll(delivery.getProperties().getHeaders());
        }
        String reason = result instanceof DedupResult.Conflict ? "conflict" : "rejected";
        String message = result instanceof DedupResult.Rejected<Void> rejected
                ? String.valueOf(rejected.reason().getMessage())
                : result.toString();
        headers.put(DedupHeaders.REASON, reason);
        headers.put(DedupHeaders.ERROR_MESSAGE, message.length() > 1000 ? message.substring(0, 1000) : message);
        AMQP.BasicProperties properties =
                delivery.getProperties().builder().headers(headers).build();
        channel.basicPublish("", RetryTopology.of(queue).deadLetterQueue(), properties, delivery.getBody());
        try {
            channel.waitForConfirmsOrDie(5000);
        } catch (InterruptedException | java.util.concurrent.TimeoutException e) {
            throw new IOException("dead letter not confirmed", e);
        }
    }

    /** Stops consuming (a delivery in hand is redelivered by the broker), then closes the store. */
    @Override
    public void close() throws Exception {
        closing = true;
        connection.close(5000);
        store.close();
    }
}
