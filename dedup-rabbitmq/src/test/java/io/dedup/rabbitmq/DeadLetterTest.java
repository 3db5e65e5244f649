package io.dedup.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import io.dedup.DedupSettings;
import io.dedup.FailurePolicy;
import io.dedup.IdempotencyConflictException;
import io.dedup.IdempotencyKeyMissingException;
import io.dedup.memory.InMemoryDedupStore;
import io.dedup.rabbitmq.RabbitBroker.QueueType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class DeadLetterTest {
    private static final Duration PATIENCE = Duration.ofSeconds(20);

    @RegisterExtension
    final RabbitBroker broker = new RabbitBroker();

    @OnEachQueueType
    void a_failing_handler_is_retried_across_redeliveries_then_dead_lettered_with_the_error(QueueType type)
            throws Exception {
        String queue = broker.queue(type);
        Meters meters = new Meters(queue);
        List<Integer> attemptsSeen = new CopyOnWriteArrayList<>();
        try (RabbitDedup dedup = meters.dedup()
                .declareTopology()
                .maxAttempts(3)
                .redeliveryDelay(Duration.ofMillis(100))
                .build()) {
            Channel channel = broker.connect("dedup-test-consumer").createChannel();
            dedup.consume(channel, (tag, delivery) -> {
                attemptsSeen.add(io.dedup.Claim.current().orElseThrow().attempt());
                throw new IllegalStateException("warehouse refused order 5");
            });

            broker.publish(queue, "order-5", "ship order 5");

            String dlq = RetryTopology.of(queue).deadLetterQueue();
            GetResponse deadLetter = broker.awaitMessage(dlq, PATIENCE);
            Map<String, Object> headers = deadLetter.getProps().getHeaders();
            assertThat(text(headers, DedupHeaders.REASON)).isEqualTo("HANDLER_FAILED");
            assertThat(text(headers, DedupHeaders.ERROR_CLASS)).isEqualTo(IllegalStateException.class.getName());
            assertThat(text(headers, DedupHeaders.ERROR_MESSAGE)).isEqualTo("warehouse refused order 5");
            assertThat(((Number) headers.get(DedupHeaders.ATTEMPTS)).intValue()).isEqualTo(3);
            assertThat(text(headers, DedupHeaders.QUEUE)).isEqualTo(queue);
            assertThat(text(headers, DedupHeaders.ORIGINAL_ROUTING_KEY)).isEqualTo(queue);
            assertThat(deadLetter.getProps().getMessageId()).isEqualTo("order-5");
            assertThat(new String(deadLetter.getBody(), StandardCharsets.UTF_8)).isEqualTo("ship order 5");
            assertThat(attemptsSeen).containsExactly(1, 2, 3);
            // Counted after the publish is confirmed and the original acked: the message can be seen first.
            await().atMost(PATIENCE).untilAsserted(() -> assertThat(meters.deliveries("dead_letter"))
                    .isEqualTo(1));
            assertThat(meters.deliveries("retry")).isEqualTo(2);
            await().atMost(PATIENCE).until(() -> broker.ready(queue) == 0 && broker.ready(dlq) == 0);
        }
    }

    @Test
    void without_a_retry_queue_a_failed_delivery_is_held_requeued_and_finally_marked_failed() throws Exception {
        String queue = broker.queue(QueueType.QUORUM);
        broker.extraQueue(queue + ".parked");
        Meters meters = new Meters(queue);
        AtomicInteger runs = new AtomicInteger();
        try (RabbitDedup dedup = meters.dedup()
                .deadLetterExchange("", queue + ".parked")
                .settings(DedupSettings.custom()
                        .failurePolicy(FailurePolicy.MARK_FAILED)
                        .build())
                .maxAttempts(2)
                .redeliveryDelay(Duration.ofMillis(100))
                .build()) {
            Channel channel = broker.connect("dedup-test-consumer").createChannel();
            dedup.consume(channel, (tag, delivery) -> {
                runs.incrementAndGet();
                throw new java.io.IOException("disk full");
            });

            broker.publish(queue, "report-1", "render report 1");

            GetResponse deadLetter = broker.awaitMessage(queue + ".parked", PATIENCE);
            Map<String, Object> headers = deadLetter.getProps().getHeaders();
            assertThat(text(headers, DedupHeaders.ERROR_CLASS)).isEqualTo("java.io.IOException");
            assertThat(((Number) headers.get(DedupHeaders.ATTEMPTS)).intValue()).isEqualTo(2);
            assertThat(runs).hasValue(2);
            await().atMost(PATIENCE)
                    .untilAsserted(() -> assertThat(meters.deliveries("retry")).isEqualTo(1));

            // Marked failed: the same message again is a duplicate and does not run.
            broker.publish(queue, "report-1", "render report 1");
            await().atMost(PATIENCE).until(() -> meters.deliveries("ack") == 1);
            assertThat(runs).hasValue(2);
        }
    }

    @OnEachQueueType
    void a_delivery_without_message_id_is_dead_lettered_with_the_reason(QueueType type) throws Exception {
        String queue = broker.queue(type);
        AtomicInteger runs = new AtomicInteger();
        try (RabbitDedup dedup = RabbitDedup.builder(queue)
                .store(InMemoryDedupStore.create())
                .declareTopology()
                .build()) {
            Channel channel = broker.connect("dedup-test-consumer").createChannel();
            dedup.consume(channel, (tag, delivery) -> runs.incrementAndGet());

            broker.publish(queue, new AMQP.BasicProperties.Builder().build(), "no key here");

            GetResponse deadLetter = broker.awaitMessage(RetryTopology.of(queue).deadLetterQueue(), PATIENCE);
            Map<String, Object> headers = deadLetter.getProps().getHeaders();
            assertThat(text(headers, DedupHeaders.REASON)).isEqualTo("KEY_MISSING");
            assertThat(text(headers, DedupHeaders.ERROR_CLASS))
                    .isEqualTo(IdempotencyKeyMissingException.class.getName());
            // names the delivery (queue and delivery tag), never only the namespace
            assertThat(text(headers, DedupHeaders.ERROR_MESSAGE))
                    .contains("no idempotency key", "queue " + queue, "delivery tag ");
            assertThat(new String(deadLetter.getBody(), StandardCharsets.UTF_8)).isEqualTo("no key here");
            assertThat(runs).hasValue(0);
        }
    }

    @Test
    void an_unreadable_json_key_is_dead_lettered_as_unreadable() throws Exception {
        String queue = broker.queue(QueueType.CLASSIC);
        try (RabbitDedup dedup = RabbitDedup.builder(queue)
                .store(InMemoryDedupStore.create())
                .keys(RabbitKeys.jsonPointer("/order/id"))
                .declareTopology()
                .build()) {
            Channel channel = broker.connect("dedup-test-consumer").createChannel();
            dedup.consume(channel, (tag, delivery) -> {});

            broker.publish(queue, new AMQP.BasicProperties.Builder().build(), "{not json");

            GetResponse deadLetter = broker.awaitMessage(RetryTopology.of(queue).deadLetterQueue(), PATIENCE);
            assertThat(text(deadLetter.getProps().getHeaders(), DedupHeaders.REASON))
                    .isEqualTo("KEY_UNREADABLE");
        }
    }

    @Test
    void a_key_reused_for_another_body_is_dead_lettered_as_a_conflict() throws Exception {
        String queue = broker.queue(QueueType.CLASSIC);
        AtomicInteger runs = new AtomicInteger();
        try (RabbitDedup dedup = RabbitDedup.builder(queue)
                .store(InMemoryDedupStore.create())
                .fingerprintBody()
                .declareTopology()
                .build()) {
            Channel channel = broker.connect("dedup-test-consumer").createChannel();
            dedup.consume(channel, (tag, delivery) -> runs.incrementAndGet());

            broker.publish(queue, "transfer-3", "100 EUR to Alice");
            broker.publish(queue, "transfer-3", "900 EUR to Mallory");

            GetResponse deadLetter = broker.awaitMessage(RetryTopology.of(queue).deadLetterQueue(), PATIENCE);
            assertThat(text(deadLetter.getProps().getHeaders(), DedupHeaders.REASON))
                    .isEqualTo("KEY_CONFLICT");
            assertThat(text(deadLetter.getProps().getHeaders(), DedupHeaders.ERROR_CLASS))
                    .isEqualTo(IdempotencyConflictException.class.getName());
            assertThat(new String(deadLetter.getBody(), StandardCharsets.UTF_8)).isEqualTo("900 EUR to Mallory");
            assertThat(runs).hasValue(1);
        }
    }

    @Test
    void without_a_dead_letter_destination_the_delivery_is_rejected_to_the_queues_own_dead_letter_exchange()
            throws Exception {
        String parking =
                "dedup-test-parking-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        broker.extraQueue(parking);
        String queue = broker.queue(
                QueueType.CLASSIC, Map.of("x-dead-letter-exchange", "", "x-dead-letter-routing-key", parking));
        try (RabbitDedup dedup =
                RabbitDedup.builder(queue).store(InMemoryDedupStore.create()).build()) {
            Connection connection = broker.connect("dedup-test-consumer");
            dedup.consume(connection.createChannel(), (tag, delivery) -> {});

            broker.publish(queue, new AMQP.BasicProperties.Builder().build(), "no key");

            GetResponse rejected = broker.awaitMessage(parking, PATIENCE);
            assertThat(rejected.getProps().getHeaders()).containsKey("x-death");
        }
    }

    private static String text(Map<String, Object> headers, String name) {
        Object value = headers.get(name);
        return value == null ? null : value.toString();
    }
}
