package io.dedup.rabbitmq;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Consumer;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.DeliverCallback;
import com.rabbitmq.client.Delivery;
import io.dedup.DedupConsumer;
import io.dedup.OutcomeCodecs;
import io.dedup.ResultHandler;
import io.dedup.rabbitmq.internal.DedupedConsumer;
import io.dedup.rabbitmq.internal.DeliveryPipeline;
import io.dedup.rabbitmq.internal.PendingDelivery;
import io.dedup.rabbitmq.internal.QueueSettings;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * dedup for the consumers of one RabbitMQ queue: wraps a {@link DeliverCallback} or a {@link Consumer} so that its
 * handler runs at most once per idempotency key, and acks each delivery only after the store recorded it.
 *
 * <pre>{@code
 * RabbitDedup orders = RabbitDedup.builder("orders").store(store).declareTopology().build();
 * channel.basicQos(100);
 * channel.basicConsume("orders", false, orders.wrap(channel, (tag, delivery) -> ship(delivery)), tag -> {});
 * }</pre>
 *
 * <p>The wrapped handler must not ack: it returns normally when the message is done and throws when it failed,
 * and dedup settles the delivery. It runs on a worker thread of the wrapper, one delivery at a time in delivery
 * order. What happens to each delivery:
 *
 * <ul>
 *   <li>processed: completed in the store, then acked (a run of acks as one {@code multiple=true} ack);
 *   <li>duplicate: acked without running the handler; an RPC request gets its stored reply again;
 *   <li>key in progress elsewhere: never acked in place and never requeued in a tight loop, but sent through the
 *       retry queue (or held and requeued) after a delay that starts at the redelivery delay, doubles with each
 *       deferral and ends at the holder's lease end, until the key completes (then it is a duplicate) or its lease
 *       lapses (then this delivery takes over);
 *   <li>handler failed: retried the same way up to {@link RabbitDedupBuilder#maxAttempts(int)} runs of the handler for the
 *       key (counted by the store and by the {@value DedupHeaders#ATTEMPT} header), then dead-lettered with
 *       {@link DedupHeaders headers} naming the error and the attempt count;
 *   <li>missing or unreadable key, key reused for another payload: dead-lettered with the reason;
 *   <li>store unavailable: nothing is acked; the wrapper pauses with back-off and tries the same deliveries again;
 *   <li>handler threw an {@link Error} ({@code AssertionError}, {@code StackOverflowError}): logged once; the worker
 *       lives on; the deliveries whose handlers finished before it are acked, those not started run again, and this
 *       one is retried or dead-lettered like a failure, with the Error's class in the headers.
 * </ul>
 *
 * <p>Thread-safe. Close it to stop its workers and, if it discovered its store, the store.
 */
public final class RabbitDedup implements AutoCloseable {
    private static final Map<String, RabbitDedup> DEFAULTS = new ConcurrentHashMap<>();

    private final QueueSettings settings;
    private final DedupConsumer<Delivery> dedup;
    private final List<DeliveryPipeline<?>> pipelines = new CopyOnWriteArrayList<>();
    private volatile boolean topologyReady;
    private final AtomicBoolean closed = new AtomicBoolean();

    RabbitDedup(QueueSettings settings, DedupConsumer<Delivery> dedup) {
        this.settings = settings;
        this.dedup = dedup;
    }

    /** A builder for the consumers of {@code queue}; the namespace defaults to the queue's name. */
    public static RabbitDedupBuilder builder(String queue) {
        return new RabbitDedupBuilder(queue);
    }

    /**
     * Wraps {@code callback} with every default: the store found on the classpath, the {@code message-id} as the
     * key, the queue as the namespace, no retry queue (deferred deliveries are held and requeued after one second)
     * and dead letters rejected to the queue's own dead-letter exchange. Wrappers for the same queue share one
     * {@link RabbitDedup}, and so one store.
     *
     * @throws IOException if the broker cannot be reached to set up the wrapper
     */
    public static DeliverCallback wrap(Channel channel, String queue, DeliverCallback callback) throws IOException {
        return defaults(queue).wrap(channel, callback);
    }

    /** Like {@link #wrap(Channel, String, DeliverCallback)} for a {@link DefaultConsumer} and its channel. */
    public static Consumer wrap(String queue, DefaultConsumer consumer) throws IOException {
        return defaults(queue).wrap(consumer);
    }

    private static RabbitDedup defaults(String queue) {
        Objects.requireNonNull(queue, "queue");
        return DEFAULTS.computeIfAbsent(queue, q -> builder(q).build());
    }

    /**
     * {@code callback} under dedup, to register on {@code channel} with {@code autoAck=false}. The callback must not
     * ack; it returns normally when done and throws when it failed.
     *
     * @throws IOException if the broker cannot be reached to declare or check the retry topology
     */
    public DeliverCallback wrap(Channel channel, DeliverCallback callback) throws IOException {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(callback, "callback");
        DeliveryPipeline<Void> pipeline = start(channel, delivery -> {
            callback.handle(((PendingDelivery) delivery).consumerTag(), delivery);
            return null;
        });
        return (consumerTag, delivery) ->
                pipeline.offer(consumerTag, delivery.getEnvelope(), delivery.getProperties(), delivery.getBody());
    }

    /**
     * {@code consumer} under dedup, on the channel it was created with. Its {@code handleDelivery} must not ack;
     * its other callbacks are passed through.
     *
     * @throws IOException if the broker cannot be reached to declare or check the retry topology
     */
    public Consumer wrap(DefaultConsumer consumer) throws IOException {
        Objects.requireNonNull(consumer, "consumer");
        return wrap(consumer.getChannel(), consumer);
    }

    /**
     * {@code consumer} under dedup, to register on {@code channel} with {@code autoAck=false}.
     *
     * @throws IOException if the broker cannot be reached to declare or check the retry topology
     */
    public Consumer wrap(Channel channel, Consumer consumer) throws IOException {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(consumer, "consumer");
        DeliveryPipeline<Void> pipeline = start(channel, delivery -> {
            PendingDelivery pending = (PendingDelivery) delivery;
            consumer.handleDelivery(
                    pending.consumerTag(), pending.getEnvelope(), pending.getProperties(), pending.getBody());
            return null;
        });
        return new DedupedConsumer(consumer, pipeline);
    }

    /**
     * An RPC server under dedup: {@code handler}'s reply is published to each request's {@code reply-to} with its
     * correlation id and stored as the key's outcome, so that a duplicate request gets the same reply again (marked
     * with {@value DedupHeaders#REPLAYED}) without the handler running. Requests without {@code reply-to} or
     * correlation id are processed without a reply.
     *
     * @throws IOException if the broker cannot be reached to declare or check the retry topology
     */
    public DeliverCallback rpc(Channel channel, RpcHandler handler) throws IOException {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(handler, "handler");
        ResultHandler<Delivery, byte[]> replies = handler::reply;
        DeliveryPipeline<byte[]> pipeline =
                new DeliveryPipeline<>(settings, dedup, prepared(channel), replies, OutcomeCodecs.bytes(), true);
        pipelines.add(pipeline);
        return (consumerTag, delivery) ->
                pipeline.offer(consumerTag, delivery.getEnvelope(), delivery.getProperties(), delivery.getBody());
    }

    /**
     * Registers {@code callback} under dedup on the queue with manual acknowledgement.
     *
     * @return the consumer tag
     * @throws IOException if the broker refuses
     */
    public String consume(Channel channel, DeliverCallback callback) throws IOException {
        return consume(channel, false, callback);
    }

    /**
     * Registers {@code callback} under dedup, refusing automatic acknowledgement.
     *
     * @throws AutoAckRefusedException if {@code autoAck} is true
     * @throws IOException if the broker refuses
     */
    public String consume(Channel channel, boolean autoAck, DeliverCallback callback) throws IOException {
        if (autoAck) {
            throw new AutoAckRefusedException(settings.queue(), "consume was called with autoAck=true");
        }
        return channel.basicConsume(settings.queue(), false, wrap(channel, callback), consumerTag -> {});
    }

    /**
     * Declares the {@link RetryTopology} of the queue now (it is otherwise declared at the first wrap when the
     * builder asked for it).
     *
     * @throws IOException if the broker refuses
     */
    public void declareTopology(Channel channel) throws IOException {
        RetryTopology.of(settings.queue()).declare(Objects.requireNonNull(channel, "channel"));
    }

    /** The work queue this instance guards. */
    public String queue() {
        return settings.queue();
    }

    /** The resolved settings, for tests in this package. */
    QueueSettings settings() {
        return settings;
    }

    /** The dedup consumer deliveries go through, for its settings and store. */
    public DedupConsumer<Delivery> dedup() {
        return dedup;
    }

    /**
     * Cancels the wrapped consumers, lets each wrapper settle what it was given (a running handler finishes, held
     * deliveries are requeued), stops their workers and closes the dedup consumer. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (DeliveryPipeline<?> pipeline : pipelines) {
            pipeline.close();
        }
        pipelines.clear();
        dedup.close();
        DEFAULTS.remove(settings.queue(), this);
    }

    /** A pipeline for a handler without a result to store (not RPC): its outcome is the key's completion alone. */
    private DeliveryPipeline<Void> start(Channel channel, ResultHandler<Delivery, Void> handler) throws IOException {
        DeliveryPipeline<Void> pipeline =
                new DeliveryPipeline<>(settings, dedup, prepared(channel), handler, OutcomeCodecs.none(), false);
        pipelines.add(pipeline);
        return pipeline;
    }

    /** Declares the topology once, or checks that the configured retry queue and dead-letter exchange exist. */
    private Channel prepared(Channel channel) throws IOException {
        if (topologyReady) {
            return channel;
        }
        synchronized (this) {
            if (!topologyReady) {
                if (settings.topology() != null) {
                    settings.topology().declare(channel);
                } else {
                    checkDestinations(channel);
                }
                topologyReady = true;
            }
        }
        return channel;
    }

    private void checkDestinations(Channel channel) throws IOException {
        if (settings.retryQueue() == null && settings.deadLetterExchange() == null) {
            return;
        }
        // A failed passive declare closes its channel, so check on a channel of our own.
        Channel probe = channel.getConnection().createChannel();
        try {
            if (settings.retryQueue() != null) {
                probe.queueDeclarePassive(settings.retryQueue());
            }
            if (settings.deadLetterExchange() != null
                    && !settings.deadLetterExchange().isEmpty()) {
                probe.exchangeDeclarePassive(settings.deadLetterExchange());
            }
        } finally {
            if (probe.isOpen()) {
                try {
                    probe.close();
                } catch (TimeoutException e) {
                    // The check itself succeeded; the probe channel goes away with the connection.
                }
            }
        }
    }
}
