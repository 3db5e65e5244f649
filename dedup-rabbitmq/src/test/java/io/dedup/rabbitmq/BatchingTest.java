package io.dedup.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.NoOpMetricsCollector;
import io.dedup.rabbitmq.RabbitBroker.QueueType;
import io.dedup.testkit.FaultInjectingStore;
import io.dedup.testkit.FaultInjectingStore.Operation;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class BatchingTest {
    @RegisterExtension
    final RabbitBroker broker = new RabbitBroker();

    /** Counts the acks the client sends, and how many of them settle a run with multiple=true. */
    private static final class AckCounter extends NoOpMetricsCollector {
        final AtomicInteger acks = new AtomicInteger();
        final AtomicInteger multipleAcks = new AtomicInteger();

        @Override
        public void basicAck(Channel channel, long deliveryTag, boolean multiple) {
            acks.incrementAndGet();
            if (multiple) {
                multipleAcks.incrementAndGet();
            }
        }
    }

    @Test
    void the_deliveries_of_a_prefetch_window_share_one_claim_round_trip_and_contiguous_acks_go_out_as_one()
            throws Exception {
        String queue = broker.queue(QueueType.CLASSIC);
        int messages = 300;
        for (int i = 0; i < messages; i++) {
            broker.publish(queue, "m" + i, "message " + i);
        }
        Meters meters = new Meters(queue);
        FaultInjectingStore store = FaultInjectingStore.inMemory();
        AckCounter counter = new AckCounter();
        AtomicInteger runs = new AtomicInteger();
        try (RabbitDedup dedup =
                meters.dedup(store).batching(100, Duration.ofMillis(5)).build()) {
            ConnectionFactory factory = broker.factory(broker.port());
            factory.setMetricsCollector(counter);
            try (Connection connection = factory.newConnection("dedup-test-batching")) {
                Channel channel = connection.createChannel();
                channel.basicQos(100);
                dedup.consume(channel, (tag, delivery) -> runs.incrementAndGet());

                await().atMost(Duration.ofSeconds(30)).until(() -> meters.deliveries("ack") == messages);
            }
        }
        assertThat(runs).hasValue(messages);
        // One claim round trip per window rather than per delivery, and far fewer acks than deliveries.
        assertThat(store.calls(Operation.CLAIM_ALL)).isLessThanOrEqualTo(messages / 3);
        assertThat(counter.multipleAcks).hasPositiveValue();
        assertThat(counter.acks).hasValueLessThanOrEqualTo(messages / 3);
        assertThat(broker.ready(queue)).isZero();
    }
}
