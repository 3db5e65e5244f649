package io.dedup.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DeliverCallback;
import com.rabbitmq.client.GetResponse;
import io.dedup.DedupKey;
import io.dedup.memory.InMemoryDedupStore;
import io.dedup.rabbitmq.RabbitBroker.QueueType;
import io.dedup.spi.RecordState;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A handler that throws an {@link Error} (an {@code AssertionError}, a {@code StackOverflowError}) in the middle of
 * a batch: the worker thread lives on, the handlers that finished before it are recorded and acked (and never run
 * again), the deliveries not started yet run once later, and the failing delivery takes the failure path.
 */
class HandlerErrorTest {
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @RegisterExtension
    final RabbitBroker broker = new RabbitBroker();

    private final InMemoryDedupStore store = InMemoryDedupStore.create();

    @Test
    void an_error_mid_batch_keeps_finished_work_releases_the_rest_retries_the_failing_delivery_and_the_worker_lives()
            throws Exception {
        String queue = broker.queue(QueueType.CLASSIC);
        Meters meters = new Meters(queue);
        Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
        AtomicInteger offered = new AtomicInteger();
        CountDownLatch gateRunning = new CountDownLatch(1);
        try (RabbitDedup dedup = meters.dedup(store)
                .declareTopology()
                .maxAttempts(3)
                .redeliveryDelay(Duration.ofMillis(100))
                .batching(10, Duration.ofMillis(5))
                .build()) {
            Channel channel = broker.connect("dedup-test-consumer").createChannel();
            channel.basicQos(10);
            DeliverCallback wrapped = dedup.wrap(channel, (tag, delivery) -> {
                String id = delivery.getProperties().getMessageId();
                int run = runs.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
                if (id.equals("gate")) {
                    // holds the worker until the next four deliveries wait in its inbox: they make one batch
                    gateRunning.countDown();
                    await().atMost(PATIENCE).until(() -> offered.get() == 5);
                }
                if (id.equals("k2") && run == 1) {
                    throw new AssertionError("a bug in the handler");
                }
            });
            channel.basicConsume(
                    queue,
                    false,
                    (tag, delivery) -> {
                        wrapped.handle(tag, delivery);
                        offered.incrementAndGet();
                    },
                    tag -> {});

            broker.publish(queue, "gate", "first");
            assertThat(gateRunning.await(PATIENCE.toSeconds(), TimeUnit.SECONDS))
                    .isTrue();
            for (String id : List.of("k1", "k2", "k3", "k4")) {
                broker.publish(queue, id, "work " + id);
            }

            await().atMost(PATIENCE).until(() -> meters.deliveries("ack") == 5);
            assertThat(meters.deliveries("released"))
                    .as("k3 and k4, claimed but not started")
                    .isEqualTo(2);
            assertThat(meters.deliveries("retry")).as("k2, whose handler threw").isEqualTo(1);
            assertThat(meters.results("failed")).isEqualTo(1);
            assertThat(runs.get("k1"))
                    .as("finished before the Error: recorded, never run again")
                    .hasValue(1);
            assertThat(runs.get("k2")).as("the Error, then its retry").hasValue(2);
            assertThat(runs.get("k3")).hasValue(1);
            assertThat(runs.get("k4")).hasValue(1);
            assertThat(workerAlive(queue)).isTrue();

            broker.publish(queue, "k5", "after the Error");
            await().atMost(PATIENCE).until(() -> meters.deliveries("ack") == 6);
            assertThat(runs.get("k5")).hasValue(1);
            for (String id : List.of("gate", "k1", "k2", "k3", "k4", "k5")) {
                assertThat(store.find(DedupKey.of(queue, id)).orElseThrow().state())
                        .as("key %s", id)
                        .isEqualTo(RecordState.COMPLETED);
            }
            await().atMost(PATIENCE)
                    .until(() -> broker.ready(queue) == 0
                            && broker.ready(RetryTopology.of(queue).retryQueue()) == 0);
        }
        assertThat(runs.values()).allMatch(count -> count.get() <= 2);
    }

    @Test
    void an_error_on_the_last_attempt_is_dead_lettered_with_the_errors_class_and_the_next_delivery_is_processed()
            throws Exception {
        String queue = broker.queue(QueueType.QUORUM);
        Meters meters = new Meters(queue);
        AtomicInteger good = new AtomicInteger();
        try (RabbitDedup dedup =
                meters.dedup(store).declareTopology().maxAttempts(1).build()) {
            dedup.consume(broker.connect("dedup-test-consumer").createChannel(), (tag, delivery) -> {
                if (delivery.getProperties().getMessageId().equals("bad")) {
                    throw new StackOverflowError("deep recursion");
                }
                good.incrementAndGet();
            });

            broker.publish(queue, "bad", "recurse");
            GetResponse deadLetter = broker.awaitMessage(RetryTopology.of(queue).deadLetterQueue(), PATIENCE);
            Map<String, Object> headers = deadLetter.getProps().getHeaders();
            assertThat(String.valueOf(headers.get(DedupHeaders.REASON))).isEqualTo("HANDLER_FAILED");
            assertThat(String.valueOf(headers.get(DedupHeaders.ERROR_CLASS)))
                    .isEqualTo(StackOverflowError.class.getName());
            assertThat(String.valueOf(headers.get(DedupHeaders.ERROR_MESSAGE))).isEqualTo("deep recursion");

            broker.publish(queue, "good", "fine");
            await().atMost(PATIENCE).until(() -> meters.deliveries("ack") == 1);
            assertThat(good).hasValue(1);
            assertThat(workerAlive(queue)).isTrue();
            assertThat(store.find(DedupKey.of(queue, "bad")).orElseThrow().state())
                    .as("released, not left in progress")
                    .isEqualTo(RecordState.RELEASED);
            await().atMost(PATIENCE).until(() -> broker.ready(queue) == 0);
        }
    }

    private static boolean workerAlive(String queue) {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals("dedup-rabbitmq-" + queue) && t.isAlive());
    }
}
