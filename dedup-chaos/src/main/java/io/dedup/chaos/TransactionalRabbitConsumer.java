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
 */
final class TransactionalRabbitConsumer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TransactionalRabbitConsumer.class);

    private final Connection connection;
    private final JdbcDedupStore store;
    private volatile boolean closing;

    private TransactionalRabbitConsumer(Connection connection, JdbcDedupStore store) {
        this.connection = connection;
        this.store = store;
    }

    static TransactionalRabbitConsumer start(ConsumerSettings settings, PointGate gate, LedgerWriter ledger)
            throws Exception {
        JdbcDedupStore store = StoreFactory.jdbc(settings);
        TransactionalDedup.Builder<Delivery> builder = TransactionalDedup.builder(
                        store, RabbitKeys.parse(settings.get("keys", "message-id")))
                .namespace(settings.get("namespace"))
                .lease(settings.millis("leaseMillis", 2000))
                .retention(settings.millis("retentionMillis", 600_000));
        if (settings.flag("fingerprint")) {
            builder.fingerprint(Delivery::getBody);
        }
        TransactionalDedup<Delivery> dedup = builder.build();
        KeyWork work = new KeyWork(settings, gate, ledger);
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

    @Override
    public void close() throws Exception {
        closing = true;
        connection.close(5000);
        store.close();
    }
}
