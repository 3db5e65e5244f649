package io.dedup.bench.e2e;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/**
 * Fills a RabbitMQ queue with a workload's messages before a RabbitMQ arm runs: the same keys in the same order and
 * the same bodies as {@link TopicLoader} writes to Kafka, each key as the message-id (where this library's adapter
 * reads it by default) and in the {@value TopicLoader#KEY_HEADER} header. A queue is consumed destructively, so
 * every measurement gets a queue of its own, filled while no clock runs.
 */
final class QueueLoader {
    /** Publisher confirms are awaited every this many messages. */
    private static final int CONFIRM_EVERY = 5_000;

    /** Where RabbitMQ is; each load and delete opens its own connection. */
    private final BenchServices services;

    /** A loader on the RabbitMQ of {@code services}. */
    QueueLoader(BenchServices services) {
        this.services = services;
    }

    /**
     * Declares {@code queue} (classic, non-durable) and publishes {@code keys} to it in order, confirmed.
     *
     * @throws IOException if the broker refuses the queue or a publish
     * @throws TimeoutException if the confirms do not come
     * @throws InterruptedException if interrupted while waiting for them
     */
    void load(String queue, String[] keys) throws IOException, TimeoutException, InterruptedException {
        try (Connection connection = services.rabbitConnection("bench-loader");
                Channel channel = connection.createChannel()) {
            // non-durable: the broker's disk is not part of any arm's figure
            channel.queueDeclare(queue, false, false, false, null);
            channel.confirmSelect();
            for (int i = 0; i < keys.length; i++) {
                // the key as message-id (the adapter's default key) and as header, the same body as the Kafka records
                AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder()
                        .messageId(keys[i])
                        .contentType("application/json")
                        .headers(Map.of(TopicLoader.KEY_HEADER, keys[i]))
                        .build();
                channel.basicPublish(
                        "", queue, properties, TopicLoader.body(keys[i], i).getBytes(StandardCharsets.UTF_8));
                // confirms in slices: the broker's memory stays bounded and a refused publish shows early
                if ((i + 1) % CONFIRM_EVERY == 0) {
                    channel.waitForConfirmsOrDie(60_000);
                }
            }
            channel.waitForConfirmsOrDie(60_000);
        }
    }

    /** Deletes {@code queue}; best effort. */
    void delete(String queue) {
        try (Connection connection = services.rabbitConnection("bench-loader");
                Channel channel = connection.createChannel()) {
            channel.queueDelete(queue);
        } catch (IOException | TimeoutException | RuntimeException e) {
            BenchLog.log("could not delete queue %s: %s", queue, e);
        }
    }
}
