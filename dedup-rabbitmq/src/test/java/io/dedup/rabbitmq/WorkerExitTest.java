package io.dedup.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import io.dedup.KeyExtractor;
import io.dedup.rabbitmq.RabbitBroker.QueueType;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The worker thread never stops silently while its consumer stays registered: an interrupt it did not ask for (a
 * handler restoring one) does not end it, and when it does stop on a bug outside the handler, its consumers are
 * cancelled and what it had not settled goes back to the queue, rather than filling a prefetch window nobody reads.
 */
class WorkerExitTest {
    private static final Duration PATIENCE = Duration.ofSeconds(20);

    @RegisterExtension
    final RabbitBroker broker = new RabbitBroker();

    @Test
    void a_handler_that_restores_an_interrupt_does_not_stop_the_worker() throws Exception {
        String queue = broker.queue(QueueType.CLASSIC);
        Meters meters = new Meters(queue);
        Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
        try (RabbitDedup dedup = meters.dedup().build()) {
            dedup.consume(broker.connect("dedup-test-consumer").createChannel(), (tag, delivery) -> {
                String id = delivery.getProperties().getMessageId();
                runs.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
                if (id.equals("sleepy")) {
                    // what a handler does that caught an InterruptedException of its own
                    Thread.currentThread().interrupt();
                }
            });

            broker.publish(queue, "sleepy", "wait for something");
            await().atMost(PATIENCE).until(() -> meters.deliveries("ack") == 1);
            broker.publish(queue, "next", "after the interrupt");

            await().atMost(PATIENCE).until(() -> meters.deliveries("ack") == 2);
            assertThat(runs.get("sleepy")).hasValue(1);
            assertThat(runs.get("next")).hasValue(1);
            assertThat(workerAlive(queue)).isTrue();
        }
    }

    @Test
    void a_worker_stopped_by_a_bug_outside_the_handler_cancels_its_consumer_and_requeues_what_it_held()
            throws Exception {
        String queue = broker.queue(QueueType.QUORUM);
        AtomicInteger runs = new AtomicInteger();
        KeyExtractor<com.rabbitmq.client.Delivery> keys = delivery -> {
            String id = delivery.getProperties().getMessageId();
            if (id.startsWith("poison")) {
                throw new AssertionError("a bug in the key extractor");
            }
            return Optional.of(id);
        };
        try (RabbitDedup dedup = RabbitDedup.builder(queue)
                .store(io.dedup.memory.InMemoryDedupStore.create())
                .keys(keys)
                .build()) {
            Channel channel = broker.connect("dedup-test-consumer").createChannel();
            channel.basicQos(5);
            channel.basicConsume(
                    queue, false, dedup.wrap(channel, (tag, delivery) -> runs.incrementAndGet()), tag -> {});

            broker.publish(queue, "poison-1", "kills the worker");

            // the consumer is cancelled and the delivery is back in the queue, the channel stays open
            await().atMost(PATIENCE).until(() -> consumers(queue) == 0 && broker.ready(queue) == 1);
            assertThat(channel.isOpen()).isTrue();
            assertThat(runs).hasValue(0);
            assertThat(workerAlive(queue)).isFalse();
        }
    }

    private long consumers(String queue) throws Exception {
        return broker.channel().queueDeclarePassive(queue).getConsumerCount();
    }

    private static boolean workerAlive(String queue) {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals("dedup-rabbitmq-" + queue) && t.isAlive());
    }
}
