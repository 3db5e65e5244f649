package io.dedup.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.dedup.rabbitmq.RabbitBroker.QueueType;
import io.dedup.testkit.FaultInjectingStore;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.RegisterExtension;

class StoreOutageTest {
    private static final Duration PATIENCE = Duration.ofSeconds(20);

    @RegisterExtension
    final RabbitBroker broker = new RabbitBroker();

    @OnEachQueueType
    void while_the_store_is_down_nothing_is_acked_or_run_and_afterwards_every_message_is_processed_once(QueueType type)
            throws Exception {
        String queue = broker.queue(type);
        Meters meters = new Meters(queue);
        FaultInjectingStore store = FaultInjectingStore.inMemory();
        Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
        try (RabbitDedup dedup = meters.dedup(store)
                .storeBackoff(Duration.ofMillis(20), Duration.ofMillis(200))
                .build()) {
            Connection connection = broker.connect("dedup-test-consumer");
            Channel channel = connection.createChannel();
            channel.basicQos(10);
            dedup.consume(channel, (tag, delivery) -> runs.computeIfAbsent(
                            delivery.getProperties().getMessageId(), k -> new AtomicInteger())
                    .incrementAndGet());

            store.down(true);
            for (int i = 0; i < 8; i++) {
                broker.publish(queue, "event-" + i, "event " + i);
            }
            broker.publish(queue, "event-0", "event 0");

            // Several back-off rounds pass with the store down: nothing runs, nothing is acked.
            await().atMost(PATIENCE).until(() -> store.refused() >= 5);
            assertThat(runs).isEmpty();
            assertThat(meters.deliveries("ack")).isZero();
            assertThat(meters.deliveries("back_off")).isPositive();

            store.down(false);
            await().atMost(PATIENCE).until(() -> meters.deliveries("ack") == 9);
            assertThat(runs).hasSize(8);
            assertThat(runs.values()).allSatisfy(count -> assertThat(count).hasValue(1));
            connection.close();
            assertThat(broker.ready(queue)).isZero();
        }
    }
}
