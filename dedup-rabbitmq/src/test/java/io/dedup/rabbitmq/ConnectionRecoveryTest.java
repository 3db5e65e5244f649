package io.dedup.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.RecoveryListener;
import io.dedup.rabbitmq.RabbitBroker.QueueType;
import io.dedup.testkit.TcpProxy;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;

class ConnectionRecoveryTest {
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @RegisterExtension
    final RabbitBroker broker = new RabbitBroker();

    private TcpProxy proxy;

    @BeforeEach
    void startProxy() {
        proxy = TcpProxy.start(broker.host(), broker.port());
    }

    @AfterEach
    void stopProxy() {
        proxy.close();
    }

    /**
     * The connection fails while a handler runs. The handler finishes and its key completes, but the ack cannot
     * reach the broker; after automatic recovery the broker redelivers everything unacked, the completed keys are
     * acked as duplicates and the others are processed. Every message has exactly one effect and none is lost.
     */
    @OnEachQueueType
    void a_connection_lost_mid_handler_loses_nothing_and_repeats_no_completed_key(QueueType type) throws Exception {
        String queue = broker.queue(type);
        Meters meters = new Meters(queue);
        Map<String, AtomicInteger> effects = new ConcurrentHashMap<>();
        CountDownLatch inHandler = new CountDownLatch(1);
        CountDownLatch cut = new CountDownLatch(1);
        try (RabbitDedup dedup = meters.dedup().build()) {
            Connection connection = broker.connect("dedup-test-recovering", proxy.port());
            CountDownLatch recovered = new CountDownLatch(1);
            ((Recoverable) connection).addRecoveryListener(new RecoveryListener() {
                @Override
                public void handleRecovery(Recoverable recoverable) {
                    recovered.countDown();
                }

                @Override
                public void handleRecoveryStarted(Recoverable recoverable) {}
            });
            Channel channel = connection.createChannel();
            channel.basicQos(20);
            dedup.consume(channel, (tag, delivery) -> {
                String id = delivery.getProperties().getMessageId();
                effects.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
                if (id.equals("m5") && inHandler.getCount() > 0) {
                    inHandler.countDown();
                    try {
                        cut.await(PATIENCE.toSeconds(), TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            });

            for (int i = 0; i < 10; i++) {
                broker.publish(queue, "m" + i, "message " + i);
            }
            assertThat(inHandler.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();

            proxy.cut();
            await().atMost(PATIENCE).until(() -> !channel.isOpen());
            cut.countDown();
            assertThat(recovered.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();

            await().atMost(PATIENCE)
                    .until(() -> effects.size() == 10
                            && broker.ready(queue) == 0
                            && meters.results("duplicate") >= 1
                            && meters.deliveries("ack") >= 10);
            connection.abort();
            await().atMost(PATIENCE).until(() -> broker.ready(queue) == 0);
            assertThat(effects.values()).allSatisfy(count -> assertThat(count).hasValue(1));
            assertThat(meters.results("processed")).isEqualTo(10);
        }
    }
}
