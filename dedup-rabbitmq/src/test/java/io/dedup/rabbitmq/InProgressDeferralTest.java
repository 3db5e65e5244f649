package io.dedup.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.dedup.DedupKey;
import io.dedup.memory.InMemoryDedupStore;
import io.dedup.rabbitmq.RabbitBroker.QueueType;
import io.dedup.spi.ClaimRequest;
import io.dedup.spi.ClaimResult;
import io.dedup.testkit.MutableClock;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class InProgressDeferralTest {
    private static final Duration PATIENCE = Duration.ofSeconds(20);

    @RegisterExtension
    final RabbitBroker broker = new RabbitBroker();

    /**
     * One consumer holds the key while its handler runs; the other gets a duplicate. The duplicate is neither acked
     * nor requeued in a loop: it waits out the redelivery delay (in the retry queue, or held unacked by the
     * consumer) as often as needed, and once the first consumer completed it is acked as a duplicate.
     */
    @ParameterizedTest(name = "{0} queue, retry queue: {1}")
    @CsvSource({"CLASSIC, true", "QUORUM, false", "CLASSIC, false", "QUORUM, true"})
    void a_duplicate_of_a_key_in_progress_elsewhere_is_delayed_then_acked_as_duplicate(
            QueueType type, boolean retryQueue) throws Exception {
        String queue = broker.queue(type);
        Meters meters = new Meters(queue);
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        RabbitDedupBuilder builder = meters.dedup().redeliveryDelay(Duration.ofMillis(150));
        if (retryQueue) {
            builder.declareTopology();
        }
        try (RabbitDedup dedup = builder.build()) {
            Connection connection = broker.connect("dedup-test-consumers");
            for (int c = 0; c < 2; c++) {
                Channel channel = connection.createChannel();
                channel.basicQos(1);
                dedup.consume(channel, (tag, delivery) -> {
                    runs.incrementAndGet();
                    running.countDown();
                    try {
                        release.await(PATIENCE.toSeconds(), TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
            }

            broker.publish(queue, "payment-9", "charge 9");
            assertThat(running.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
            broker.publish(queue, "payment-9", "charge 9");

            await().atMost(PATIENCE).until(() -> meters.deliveries("defer") >= 2);
            assertThat(meters.deliveries("ack")).isZero();
            assertThat(runs).hasValue(1);

            release.countDown();
            await().atMost(PATIENCE).until(() -> meters.deliveries("ack") == 2);
            assertThat(runs).hasValue(1);
            assertThat(meters.results("duplicate")).isEqualTo(1);
            dedup.close(); // lets a copy still being brought back finish
            connection.close();
            assertThat(broker.ready(queue)).isZero();
            if (retryQueue) {
                assertThat(broker.ready(RetryTopology.of(queue).retryQueue())).isZero();
            }
        }
    }

    @Test
    void a_key_held_by_a_worker_that_died_is_taken_over_once_its_lease_lapsed() throws Exception {
        String queue = broker.queue(QueueType.QUORUM);
        Meters meters = new Meters(queue);
        MutableClock clock = MutableClock.startingNow();
        InMemoryDedupStore store = InMemoryDedupStore.builder().clock(clock).build();
        // A worker claimed the key and died without completing or releasing it.
        ClaimResult dead = store.claim(
                ClaimRequest.of(DedupKey.of(queue, "invoice-4"), Duration.ofMinutes(5), Duration.ofHours(1)));
        assertThat(dead).isInstanceOf(ClaimResult.Acquired.class);
        AtomicInteger runs = new AtomicInteger();
        try (RabbitDedup dedup = meters.dedup(store)
                .declareTopology()
                .redeliveryDelay(Duration.ofMillis(100))
                .build()) {
            dedup.consume(
                    broker.connect("dedup-test-consumer").createChannel(), (tag, delivery) -> runs.incrementAndGet());

            broker.publish(queue, "invoice-4", "send invoice 4");
            await().atMost(PATIENCE).until(() -> meters.deliveries("defer") >= 2);
            assertThat(runs).hasValue(0);

            clock.advance(Duration.ofMinutes(6));
            await().atMost(PATIENCE).until(() -> meters.deliveries("ack") == 1);
            assertThat(runs).hasValue(1);
            assertThat(store.find(DedupKey.of(queue, "invoice-4")).orElseThrow().attempts())
                    .isEqualTo(2);
        }
    }
}
