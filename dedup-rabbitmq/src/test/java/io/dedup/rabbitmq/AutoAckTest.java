package io.dedup.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ShutdownSignalException;
import io.dedup.memory.InMemoryDedupStore;
import io.dedup.rabbitmq.RabbitBroker.QueueType;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class AutoAckTest {
    @RegisterExtension
    final RabbitBroker broker = new RabbitBroker();

    @Test
    void consuming_with_auto_ack_is_refused_up_front() throws Exception {
        String queue = broker.queue(QueueType.CLASSIC);
        try (RabbitDedup dedup =
                RabbitDedup.builder(queue).store(InMemoryDedupStore.create()).build()) {
            Channel channel = broker.connect("dedup-test-consumer").createChannel();
            assertThatThrownBy(() -> dedup.consume(channel, true, (tag, delivery) -> {}))
                    .isInstanceOf(AutoAckRefusedException.class)
                    .hasMessageContaining(queue)
                    .hasMessageContaining("basicConsume(queue, false");
        }
    }

    @Test
    void a_wrapper_registered_with_auto_ack_is_detected_at_its_first_ack_and_stops() throws Exception {
        String queue = broker.queue(QueueType.CLASSIC);
        AtomicInteger runs = new AtomicInteger();
        try (RabbitDedup dedup =
                RabbitDedup.builder(queue).store(InMemoryDedupStore.create()).build()) {
            Channel channel = broker.connect("dedup-test-consumer").createChannel();
            AtomicReference<ShutdownSignalException> closed = new AtomicReference<>();
            channel.addShutdownListener(closed::set);
            channel.basicConsume(queue, true, dedup.wrap(channel, (tag, delivery) -> runs.incrementAndGet()), t -> {});

            broker.publish(queue, "a1", "one");

            await().atMost(Duration.ofSeconds(20)).until(() -> closed.get() != null);
            assertThat(closed.get().getMessage()).contains("unknown delivery tag");
            await().atMost(Duration.ofSeconds(20)).until(() -> Thread.getAllStackTraces().keySet().stream()
                    .noneMatch(t -> t.getName().equals("dedup-rabbitmq-" + queue)));
            assertThat(runs).hasValue(1);
        }
    }
}
