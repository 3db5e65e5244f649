package io.dedup.examples;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DeliverCallback;
import io.dedup.rabbitmq.RabbitDedup;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The demo on RabbitMQ: payments are published to a queue with the duplicates real systems make, and consumers
 * wrapped by {@link RabbitDedup} charge them:
 *
 * <ol>
 *   <li>the publisher sends some messages twice (a publish whose confirm timed out, retried);
 *   <li>worker-1's connection drops in the middle of a batch: it finishes the batch and the store records it, but
 *       its acks never reach the broker, which redelivers its whole unacked window to worker-2 and worker-3;
 *   <li>an operator re-publishes the last tenth of the payments (a replay from an archive after an incident).
 * </ol>
 *
 * Not thread-safe; one run at a time.
 */
final class RabbitScenario {
    /** How long one phase may take before the demo fails. */
    private static final Duration PHASE_TIMEOUT = Duration.ofMinutes(3);
    /** Unacked deliveries per consumer: a window large enough that a dropped connection leaves a real batch unacked. */
    private static final int PREFETCH = 200;

    /** The run's choices: how many payments, which seed. */
    private final DemoOptions options;
    /** The store every worker shares. */
    private final DemoStore store;
    /** The work queue, unique per run; also the dedup namespace, so all workers share one key space. */
    private final String queue;

    /** Where the story and the per-second counts go. */
    private final Progress progress;
    /** Connections for the admin channel and the workers, all to the same broker. */
    private final ConnectionFactory factory = new ConnectionFactory();
    /** Deliveries (handed to any worker, before the dedup layer sees them), charges and duplicates suppressed. */
    private final ScenarioTally tally = new ScenarioTally();

    /** A scenario whose queue is named after {@code runId}, connecting to {@code uri}. */
    private RabbitScenario(DemoOptions options, DemoStore store, String runId, Progress progress, String uri)
            throws Exception {
        this.options = options;
        this.store = store;
        this.queue = "dedup-demo-payments-" + runId;
        this.progress = progress;
        factory.setUri(uri);
        factory.setAutomaticRecoveryEnabled(false); // worker-1's connection is meant to stay down
    }

    /**
     * Plays the scenario on the RabbitMQ the services name.
     *
     * @throws DemoEnvironmentException if RabbitMQ cannot be reached, saying how to start it
     * @throws Exception if a phase fails or does not finish in time
     */
    static DemoReport run(DemoOptions options, DemoStore store, String runId, Progress progress, DemoServices services)
            throws Exception {
        RabbitScenario scenario = new RabbitScenario(options, store, runId, progress, services.rabbitUri());
        Connection admin;
        try {
            admin = scenario.factory.newConnection("dedup-demo-admin");
        } catch (Exception e) {
            throw new DemoEnvironmentException(
                    "RabbitMQ is not reachable at " + DemoServices.redact(services.rabbitUri()) + " (" + e
                            + "): start it (rabbitmq-server) or set DEDUP_RABBITMQ_URI",
                    e);
        }
        try (admin) {
            return scenario.play(admin.createChannel());
        }
    }

    /** The three phases in order, then the report; the run's queues are deleted whatever happened. */
    @SuppressWarnings("try") // the resources are closed by the try; the body does not name them
    private DemoReport play(Channel admin) throws Exception {
        PaymentStream stream = PaymentStream.generate(options.messages(), options.seed());
        tally.track(progress);
        admin.queueDeclare(queue, false, false, false, null);
        try {
            admin.confirmSelect();
            publish(admin, stream.sends());
            progress.say(
                    "published %,d messages to queue %s: %,d payments, %,d of them sent twice by a retrying publisher",
                    stream.sends().size(), queue, stream.payments().size(), stream.retries());
            connectionDropsMidBatch(stream.payments().size());

            // two workers on a fresh connection: the broker hands them worker-1's unacked deliveries again
            try (Connection connection = factory.newConnection("dedup-demo-workers");
                    RabbitDedup worker2 = consume(connection, "worker-2", null);
                    RabbitDedup worker3 = consume(connection, "worker-3", null)) {
                progress.say("worker-2 and worker-3 start: RabbitMQ redelivers worker-1's unacked messages to them");
                long published = stream.sends().size();
                awaitDrained(admin, stream, published);
                // the replay republishes payments already charged: each must be answered from the store
                List<Payment> replay = stream.payments()
                        .subList(
                                stream.payments().size() * 9 / 10,
                                stream.payments().size());
                progress.say(
                        "an operator re-publishes the last %,d payments from the archive (a replay)", replay.size());
                publish(admin, replay);
                awaitDrained(admin, stream, published + replay.size());
            }
        } finally {
            // the adapter's retry and dead-letter queues were declared for this run's queue: delete them too
            admin.queueDelete(queue + ".dedup.retry");
            admin.queueDelete(queue + ".dedup.dlq");
            admin.queueDelete(queue);
        }
        return Demo.finish(progress, stream, tally);
    }

    /**
     * Publishes {@code payments} with their payment id as the message id (the adapter's default key) and waits for the
     * broker's confirms, so every message is in the queue before the phase goes on.
     */
    private void publish(Channel channel, List<Payment> payments) throws Exception {
        for (Payment payment : payments) {
            AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder()
                    .messageId(payment.paymentId())
                    .contentType("application/json")
                    .build();
            channel.basicPublish("", queue, properties, payment.jsonBytes());
        }
        channel.waitForConfirmsOrDie(PHASE_TIMEOUT.toMillis());
    }

    /** worker-1 charges; at 30% of the payments its connection drops while it works through a batch. */
    @SuppressWarnings("try") // the resources are closed by the try; the body does not name them
    private void connectionDropsMidBatch(int payments) throws Exception {
        long dropAt = Math.max(1, payments * 3L / 10);
        AtomicLong charged = new AtomicLong();
        // a connection of its own, so aborting it takes exactly worker-1's channel and its unacked window down
        Connection connection = factory.newConnection("dedup-demo-worker-1");
        try (RabbitDedup worker1 = consume(connection, "worker-1", () -> {
            if (charged.incrementAndGet() == dropAt) {
                connection.abort(1000); // the batch in hand still finishes; its acks have nowhere to go
            }
        })) {
            progress.say("worker-1 starts charging payments");
            long deadline = System.nanoTime() + PHASE_TIMEOUT.toNanos();
            // the abort comes from the handler: wait for it, bounded in case the drop point is never reached
            while (connection.isOpen() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
        }
        progress.say(
                "worker-1 lost its connection in the middle of a batch after %,d charges: the batch was charged"
                        + " and recorded, its acks never reached the broker",
                charged.get());
    }

    /** A consumer on its own channel: every delivery is counted, then dedup decides whether it charges. */
    private RabbitDedup consume(Connection connection, String name, Runnable afterCharge) throws Exception {
        RabbitDedup dedup = RabbitDedup.builder(queue)
                .store(store.store())
                .namespace(queue)
                .settings(Demo.SETTINGS)
                .declareTopology() // <queue>.dedup.retry brings deferred deliveries back after the delay
                .redeliveryDelay(Duration.ofMillis(200))
                .meterRegistry(tally.registry())
                .build();
        Channel channel = connection.createChannel();
        channel.basicQos(PREFETCH);
        DeliverCallback charge = dedup.wrap(channel, (tag, delivery) -> {
            tally.ledger().charge(Payment.parse(delivery.getBody()));
            if (afterCharge != null) {
                afterCharge.run();
            }
        });
        channel.basicConsume(
                queue,
                false,
                name,
                (tag, delivery) -> {
                    tally.deliveries().increment();
                    charge.handle(tag, delivery);
                },
                tag -> {});
        return dedup;
    }

    /**
     * Waits until every payment was charged, at least {@code published} deliveries were made, and the queue and its
     * retry queue have stayed empty with no new delivery for half a second.
     */
    private void awaitDrained(Channel admin, PaymentStream stream, long published) throws Exception {
        long deadline = System.nanoTime() + PHASE_TIMEOUT.toNanos();
        long quietSince = System.nanoTime();
        long lastDeliveries = -1;
        while (System.nanoTime() < deadline) {
            long seen = tally.deliveries().sum();
            boolean empty = admin.queueDeclarePassive(queue).getMessageCount() == 0
                    && admin.queueDeclarePassive(queue + ".dedup.retry").getMessageCount() == 0;
            // quiet means no delivery and empty queues for half a second: deferred deliveries come back after 200 ms
            if (seen != lastDeliveries || !empty) {
                lastDeliveries = seen;
                quietSince = System.nanoTime();
            } else if (seen >= published
                    && tally.ledger().charged() == stream.payments().size()
                    && System.nanoTime() - quietSince > 500_000_000L) {
                return;
            }
            Thread.sleep(50);
        }
        throw new TimeoutException("queue " + queue + " was not drained within " + PHASE_TIMEOUT.toSeconds() + " s");
    }
}
