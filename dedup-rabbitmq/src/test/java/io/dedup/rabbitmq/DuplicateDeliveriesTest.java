package io.dedup.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import io.dedup.rabbitmq.RabbitBroker.QueueType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class DuplicateDeliveriesTest {
    private static final Duration PATIENCE = Duration.ofSeconds(20);

    @RegisterExtension
    final RabbitBroker broker = new RabbitBroker();

    @Test
    void the_broker_supports_quorum_queues_and_delivery_counts() {
        // Quorum queues (and their x-delivery-count header) exist since RabbitMQ 3.8.
        String[] version = broker.version().split("\\.");
        int major = Integer.parseInt(version[0]);
        int minor = Integer.parseInt(version[1]);
        assertThat(major > 3 || (major == 3 && minor >= 8))
                .as("RabbitMQ %s", broker.version())
                .isTrue();
    }

    @OnEachQueueType
    void the_same_message_id_published_many_times_runs_the_handler_once_and_every_copy_is_acked(QueueType type)
            throws Exception {
        String queue = broker.queue(type);
        Meters meters = new Meters(queue);
        AtomicInteger runs = new AtomicInteger();
        try (RabbitDedup dedup = meters.dedup().build()) {
            Connection connection = broker.connect("dedup-test-consumer");
            Channel channel = connection.createChannel();
            channel.basicQos(50);
            dedup.consume(channel, (tag, delivery) -> runs.incrementAndGet());

            for (int i = 0; i < 20; i++) {
                broker.publish(queue, "order-1", "ship order 1");
            }

            await().atMost(PATIENCE).until(() -> meters.deliveries("ack") == 20);
            assertThat(runs).hasValue(1);
            assertThat(meters.results("processed")).isEqualTo(1);
            assertThat(meters.results("duplicate")).isEqualTo(19);
            connection.close();
            assertThat(broker.ready(queue)).isZero();
        }
    }

    @OnEachQueueType
    void two_consumers_competing_for_duplicates_run_each_key_once(QueueType type) throws Exception {
        String queue = broker.queue(type);
        Meters meters = new Meters(queue);
        Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
        try (RabbitDedup dedup = meters.dedup()
                .declareTopology()
                .redeliveryDelay(Duration.ofMillis(100))
                .build()) {
            Connection connection = broker.connect("dedup-test-consumers");
            for (int c = 0; c < 2; c++) {
                Channel channel = connection.createChannel();
                channel.basicQos(5);
                dedup.consume(channel, (tag, delivery) -> {
                    runs.computeIfAbsent(delivery.getProperties().getMessageId(), k -> new AtomicInteger())
                            .incrementAndGet();
                    LockSupport.parkNanos(2_000_000); // work that lets the other consumer meet keys in progress
                });
            }

            int keys = 10;
            int copies = 5;
            for (int copy = 0; copy < copies; copy++) {
                for (int k = 0; k < keys; k++) {
                    broker.publish(queue, "key-" + k, "body " + k);
                }
            }

            await().atMost(PATIENCE).until(() -> meters.deliveries("ack") == keys * copies);
            assertThat(runs).hasSize(keys);
            assertThat(runs.values()).allSatisfy(count -> assertThat(count).hasValue(1));
            connection.close();
            assertThat(broker.ready(queue)).isZero();
            assertThat(broker.ready(RetryTopology.of(queue).retryQueue())).isZero();
        }
    }

    @Test
    void a_wrapped_default_consumer_keeps_its_callbacks_and_acks_after_the_store() throws Exception {
        String queue = broker.queue(QueueType.CLASSIC);
        Meters meters = new Meters(queue);
        AtomicInteger runs = new AtomicInteger();
        AtomicInteger consumeOks = new AtomicInteger();
        try (RabbitDedup dedup = meters.dedup().keys(RabbitKeys.header()).build()) {
            Connection connection = broker.connect("dedup-test-consumer");
            Channel channel = connection.createChannel();
            DefaultConsumer application = new DefaultConsumer(channel) {
                @Override
                public void handleConsumeOk(String consumerTag) {
                    consumeOks.incrementAndGet();
                }

                @Override
                public void handleDelivery(
                        String consumerTag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
                    assertThat(new String(body, StandardCharsets.UTF_8)).isEqualTo("pay invoice 7");
                    runs.incrementAndGet();
                }
            };
            channel.basicConsume(queue, false, dedup.wrap(application));

            AMQP.BasicProperties withKey = new AMQP.BasicProperties.Builder()
                    .headers(Map.of(DedupHeaders.IDEMPOTENCY_KEY, "invoice-7"))
                    .build();
            for (int i = 0; i < 3; i++) {
                broker.publish(queue, withKey, "pay invoice 7");
            }

            await().atMost(PATIENCE).until(() -> meters.deliveries("ack") == 3);
            assertThat(runs).hasValue(1);
            assertThat(consumeOks).hasValue(1);
            connection.close();
            assertThat(broker.ready(queue)).isZero();
        }
    }
}
