package io.dedup.bench;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.NoOpMetricsCollector;
import io.dedup.DedupKey;
import io.dedup.DedupSettings;
import io.dedup.OutcomeStatus;
import io.dedup.memory.InMemoryDedupStore;
import io.dedup.rabbitmq.RabbitDedup;
import io.dedup.spi.ClaimRequest;
import io.dedup.spi.ClaimResult;
import io.dedup.spi.Completion;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Draining a queue of {@value #MESSAGES} messages from the local RabbitMQ (127.0.0.1:5672, guest/guest; override
 * with -Ddedup.bench.rabbitmq.host/port): a plain manual-ack consumer as the baseline, against the dedup-wrapped
 * callback on the in-memory store with new keys and with duplicates, in the same run. Time per message.
 *
 * <p>Not thread-safe: one JMH state for the whole benchmark (Scope.Benchmark), run with JMH's default of one thread.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 4)
@Fork(1)
@State(Scope.Benchmark)
public class RabbitConsumeBenchmark {
    /**
     * Messages per drain: enough that the broker's per-queue start-up and the final ack round trip are a small share.
     */
    static final int MESSAGES = 20_000;

    /** plain: manual ack per message, no dedup; newKeys: dedup, every key new; duplicates: every key completed. */
    @Param({"plain", "newKeys", "duplicates"})
    public String mode;

    /**
     * Unacked deliveries the broker sends ahead; one value, the adapter's default window, so modes compare at equal flow.
     */
    @Param({"250"})
    public int prefetch;

    /**
     * Sees acks on the consumer's connection, so a drain ends when the broker was told, not when the handler returned.
     */
    private final AckWatcher acks = new AckWatcher();
    /** The publishing and admin connection; kept apart from {@link #consumer} so publishing never shares its socket. */
    private Connection connection;
    /** The measured consumer's connection, instrumented by {@link #acks}. */
    private Connection consumer;

    /** Declares, fills and purges the queue, with publisher confirms on. */
    private Channel admin;
    /** This trial's queue. */
    private String queue;
    /** A fresh store per invocation: every drain starts from the same state (empty, or every key completed). */
    private InMemoryDedupStore store;

    /** This invocation's adapter over {@link #store}. */
    private RabbitDedup dedup;

    /**
     * Connects once per trial and declares a non-durable queue of its own, so disk writes are not part of the figure.
     */
    @Setup(Level.Trial)
    public void connect() throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost(System.getProperty("dedup.bench.rabbitmq.host", "127.0.0.1"));
        factory.setPort(Integer.getInteger("dedup.bench.rabbitmq.port", 5672));
        connection = factory.newConnection("dedup-bench");
        factory.setMetricsCollector(acks);
        consumer = factory.newConnection("dedup-bench-consumer");
        admin = connection.createChannel();
        admin.confirmSelect();
        queue = "dedup-bench-" + UUID.randomUUID().toString().substring(0, 8);
        admin.queueDeclare(queue, false, false, false, null);
    }

    /**
     * Deletes the queue and closes both connections.
     *
     * @throws Exception if the broker cannot be reached to delete the queue
     */
    @TearDown(Level.Trial)
    public void disconnect() throws Exception {
        admin.queueDelete(queue);
        consumer.close();
        connection.close();
    }

    /**
     * Before every drain (outside the timed part): an empty queue filled with {@link #MESSAGES} messages with new ids, a
     * new store, and, for {@code duplicates}, every key completed in the store already, so each delivery is answered
     * from the store without the handler.
     */
    @Setup(Level.Invocation)
    public void fill() throws Exception {
        // a purged queue and a new store per drain: each measured drain starts from the same state
        admin.queuePurge(queue);
        store = InMemoryDedupStore.create();
        dedup = RabbitDedup.builder(queue)
                .store(store)
                .settings(DedupSettings.custom().retention(Duration.ofHours(1)).build())
                .build();
        String prefix = UUID.randomUUID().toString();
        if (mode.equals("duplicates")) {
            for (int i = 0; i < MESSAGES; i++) {
                DedupKey key = DedupKey.of(queue, prefix + i);
                ClaimResult.Acquired claim = (ClaimResult.Acquired)
                        store.claim(ClaimRequest.of(key, Duration.ofMinutes(5), Duration.ofHours(1)));
                store.complete(new Completion(
                        key, claim.claim().token(), OutcomeStatus.SUCCEEDED, new byte[0], Duration.ofHours(1)));
            }
        }
        byte[] body = "{\"amount\":42}".getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < MESSAGES; i++) {
            admin.basicPublish(
                    "",
                    queue,
                    new AMQP.BasicProperties.Builder().messageId(prefix + i).build(),
                    body);
        }
        // every message is in the queue before the drain's clock starts
        admin.waitForConfirmsOrDie(60_000);
    }

    /** Closes the adapter of this invocation (its renewal and completion threads). */
    @TearDown(Level.Invocation)
    public void close() {
        dedup.close();
    }

    /**
     * Drains the queue on a new channel and returns when the last message is acked. The plain consumer acks each
     * message itself, as the adapter does; the handler is empty in every mode, so the difference is dedup's own cost.
     */
    @Benchmark
    @OperationsPerInvocation(MESSAGES)
    public void drain() throws Exception {
        Channel channel = consumer.createChannel();
        channel.basicQos(prefetch);
        CountDownLatch acked = acks.expect(channel, MESSAGES);
        if (mode.equals("plain")) {
            channel.basicConsume(
                    queue,
                    false,
                    (tag, delivery) -> channel.basicAck(delivery.getEnvelope().getDeliveryTag(), false),
                    tag -> {});
        } else {
            dedup.consume(channel, (tag, delivery) -> {});
        }
        if (!acked.await(5, TimeUnit.MINUTES)) {
            throw new IllegalStateException("not every message was acked");
        }
        channel.close();
    }

    /** Sees every ack the consumer connection sends; opens a latch once the channel acked through a tag. */
    private static final class AckWatcher extends NoOpMetricsCollector {
        private volatile Channel channel;
        private volatile long through;
        private volatile CountDownLatch latch = new CountDownLatch(0);

        /**
         * Arms the watcher for {@code channel}; the latch opens once an ack at or past delivery tag {@code tag} is sent.
         */
        CountDownLatch expect(Channel channel, long tag) {
            this.through = tag;
            this.latch = new CountDownLatch(1);
            this.channel = channel;
            return latch;
        }

        @Override
        public void basicAck(Channel ch, long deliveryTag, boolean multiple) {
            // Single acks may go out of order only across held deliveries, which this benchmark has none of.
            if (deliveryTag >= through && channel != null && ch.getChannelNumber() == channel.getChannelNumber()) {
                latch.countDown();
            }
        }
    }
}
