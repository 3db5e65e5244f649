package io.dedup.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DeliverCallback;
import com.rabbitmq.client.GetResponse;
import io.dedup.DedupKey;
import io.dedup.DedupSettings;
import io.dedup.FailurePolicy;
import io.dedup.OutcomeStatus;
import io.dedup.memory.InMemoryDedupStore;
import io.dedup.rabbitmq.RabbitBroker.QueueType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A dead letter the broker does not take (unroutable, or its exchange gone) is owed, not dropped: the original stays
 * unacked, the dead letter is published again until it is confirmed, and the handler does not run again for it. A
 * key marked failed on its last attempt whose dead letter was never confirmed (the consumer crashed, its channel
 * closed) is dead-lettered when the delivery comes back, not acked as a duplicate.
 */
class DeadLetterOwedTest {
    private static final Duration PATIENCE = Duration.ofSeconds(20);
    private static final DedupSettings MARK_FAILED =
            DedupSettings.custom().failurePolicy(FailurePolicy.MARK_FAILED).build();

    @RegisterExtension
    final RabbitBroker broker = new RabbitBroker();

    private final InMemoryDedupStore store = InMemoryDedupStore.create();

    @Test
    void an_unroutable_dead_letter_is_retried_without_running_the_handler_again_and_acked_once_confirmed()
            throws Exception {
        String queue = broker.queue(QueueType.CLASSIC);
        String parked = queue + ".parked"; // declared only later: until then the dead letter is unroutable
        Meters meters = new Meters(queue);
        AtomicInteger runs = new AtomicInteger();
        try (RabbitDedup dedup = deadLettering(meters, "", parked, 1).build()) {
            Connection connection = broker.connect("dedup-test-consumer");
            dedup.consume(connection.createChannel(), failing(runs, "printer on fire"));

            broker.publish(queue, "invoice-1", "print invoice 1");

            // the dead letter was returned several times; the handler ran once, its last attempt
            await().atMost(PATIENCE).until(() -> meters.deliveries("requeue") >= 3);
            assertThat(runs).hasValue(1);
            assertThat(meters.deliveries("dead_letter")).isZero();

            broker.extraQueue(parked);
            GetResponse deadLetter = broker.awaitMessage(parked, PATIENCE);
            Map<String, Object> headers = deadLetter.getProps().getHeaders();
            assertThat(String.valueOf(headers.get(DedupHeaders.REASON))).isEqualTo("HANDLER_FAILED");
            assertThat(String.valueOf(headers.get(DedupHeaders.ERROR_MESSAGE))).isEqualTo("printer on fire");
            assertThat(((Number) headers.get(DedupHeaders.ATTEMPTS)).intValue()).isEqualTo(1);
            assertThat(new String(deadLetter.getBody(), StandardCharsets.UTF_8)).isEqualTo("print invoice 1");
            await().atMost(PATIENCE).until(() -> meters.deliveries("dead_letter") == 1);
            assertThat(runs).hasValue(1);

            // acked, not just held: closing the consumer's connection returns nothing to the queue
            connection.close();
            assertThat(broker.ready(queue)).isZero();
            assertThat(broker.ready(parked)).isZero();
        }
        assertThat(runs).hasValue(1);
    }

    @Test
    void a_dead_letter_whose_exchange_is_gone_is_owed_until_it_is_back_even_when_the_key_is_marked_failed()
            throws Exception {
        String queue = broker.queue(QueueType.QUORUM);
        String parked = queue + ".parked";
        broker.extraQueue(parked);
        String exchange = "dedup-test-dlx-" + UUID.randomUUID().toString().substring(0, 8);
        declareExchange(exchange, parked);
        Meters meters = new Meters(queue);
        AtomicInteger runs = new AtomicInteger();
        try (RabbitDedup dedup =
                deadLettering(meters, exchange, "dead", 1).settings(MARK_FAILED).build()) {
            Connection connection = broker.connect("dedup-test-consumer");
            dedup.consume(connection.createChannel(), failing(runs, "ledger closed"));
            // after the wrap checked that it exists: publishing to it now fails the publisher's channel
            broker.channel().exchangeDelete(exchange);

            broker.publish(queue, "entry-7", "book entry 7");

            await().atMost(PATIENCE).until(() -> meters.deliveries("requeue") >= 2);
            assertThat(store.find(DedupKey.of(queue, "entry-7"))
                            .orElseThrow()
                            .outcome()
                            .orElseThrow()
                            .status())
                    .isEqualTo(OutcomeStatus.FAILED);

            declareExchange(exchange, parked);
            GetResponse deadLetter = broker.awaitMessage(parked, PATIENCE);
            assertThat(String.valueOf(deadLetter.getProps().getHeaders().get(DedupHeaders.REASON)))
                    .isEqualTo("HANDLER_FAILED");
            assertThat(deadLetter.getProps().getMessageId()).isEqualTo("entry-7");
            await().atMost(PATIENCE).until(() -> meters.deliveries("dead_letter") == 1);
            connection.close();
            assertThat(broker.ready(queue)).isZero();
            assertThat(runs).hasValue(1);
        } finally {
            broker.channel().exchangeDelete(exchange);
        }
    }

    @Test
    void a_key_marked_failed_whose_dead_letter_was_never_confirmed_is_dead_lettered_by_the_next_consumer()
            throws Exception {
        String queue = broker.queue(QueueType.CLASSIC);
        String parked = queue + ".parked";
        AtomicInteger runs = new AtomicInteger();
        Meters first = new Meters(queue);
        // the first consumer's dead letters are unroutable; it crashes before one is confirmed
        try (RabbitDedup dedup =
                deadLettering(first, "", parked, 2).settings(MARK_FAILED).build()) {
            Connection crashing = broker.connect("dedup-test-crashing");
            dedup.consume(crashing.createChannel(), failing(runs, "quota exceeded"));
            broker.publish(queue, "upload-3", "upload 3");
            await().atMost(PATIENCE).until(() -> runs.get() == 2 && first.deliveries("requeue") >= 1);
            crashing.abort();
        }

        broker.extraQueue(parked);
        Meters second = new Meters(queue);
        try (RabbitDedup dedup =
                deadLettering(second, "", parked, 2).settings(MARK_FAILED).build()) {
            dedup.consume(broker.connect("dedup-test-restarted").createChannel(), failing(runs, "quota exceeded"));

            // the redelivery of the last attempt: its key is marked failed, and its dead letter is still owed
            GetResponse deadLetter = broker.awaitMessage(parked, PATIENCE);
            Map<String, Object> headers = deadLetter.getProps().getHeaders();
            assertThat(String.valueOf(headers.get(DedupHeaders.REASON))).isEqualTo("HANDLER_FAILED");
            assertThat(String.valueOf(headers.get(DedupHeaders.ERROR_MESSAGE))).contains("quota exceeded");
            assertThat(((Number) headers.get(DedupHeaders.ATTEMPTS)).intValue()).isEqualTo(2);
            assertThat(deadLetter.getProps().getMessageId()).isEqualTo("upload-3");
            await().atMost(PATIENCE).until(() -> second.deliveries("dead_letter") == 1);

            // a later copy of the same message is a plain duplicate: acked, not dead-lettered again
            broker.publish(queue, "upload-3", "upload 3");
            await().atMost(PATIENCE).until(() -> second.deliveries("ack") == 1);
            assertThat(second.deliveries("dead_letter")).isEqualTo(1);
            assertThat(broker.ready(parked)).isZero();
        }
        assertThat(runs).hasValue(2);
    }

    @Test
    void with_one_attempt_a_later_copy_of_a_message_marked_failed_is_acked_as_a_duplicate() throws Exception {
        String queue = broker.queue(QueueType.CLASSIC);
        String parked = queue + ".parked";
        broker.extraQueue(parked);
        Meters meters = new Meters(queue);
        AtomicInteger runs = new AtomicInteger();
        try (RabbitDedup dedup = meters.dedup(store)
                .deadLetterExchange("", parked)
                .settings(MARK_FAILED)
                .maxAttempts(1)
                .build()) {
            dedup.consume(broker.connect("dedup-test-consumer").createChannel(), failing(runs, "rejected"));

            broker.publish(queue, "payment-9", "pay 9");
            broker.awaitMessage(parked, PATIENCE);

            broker.publish(queue, "payment-9", "pay 9");
            await().atMost(PATIENCE).until(() -> meters.deliveries("ack") == 1);
            assertThat(meters.deliveries("dead_letter")).isEqualTo(1);
            assertThat(broker.ready(parked)).isZero();
            assertThat(runs).hasValue(1);
        }
    }

    /**
     * A wrapper on the test's store that dead-letters to {@code exchange} with {@code routingKey} after
     * {@code maxAttempts}, and gives a delivery back to the queue soon, so that an owed dead letter is retried often
     * within the test's patience.
     */
    private RabbitDedupBuilder deadLettering(Meters meters, String exchange, String routingKey, int maxAttempts) {
        return meters.dedup(store)
                .deadLetterExchange(exchange, routingKey)
                .maxAttempts(maxAttempts)
                .redeliveryDelay(Duration.ofMillis(50));
    }

    /** A handler that counts its runs and always fails with {@code error}. */
    private static DeliverCallback failing(AtomicInteger runs, String error) {
        return (tag, delivery) -> {
            runs.incrementAndGet();
            throw new IllegalStateException(error);
        };
    }

    private void declareExchange(String exchange, String queue) throws Exception {
        broker.channel().exchangeDeclare(exchange, BuiltinExchangeType.DIRECT, false, false, Map.of());
        broker.channel().queueBind(queue, exchange, "dead");
    }
}
