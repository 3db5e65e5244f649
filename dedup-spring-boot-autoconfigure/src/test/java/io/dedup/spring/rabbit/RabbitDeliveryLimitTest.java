package io.dedup.spring.rabbit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import io.dedup.spring.fixture.BrokerOnlyApplication;
import io.dedup.spring.fixture.EventCounts;
import io.dedup.spring.fixture.KeyHeldElsewhere;
import io.dedup.spring.fixture.Recording;
import io.dedup.testkit.FaultInjectingStore;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.QueueBuilder;
import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.amqp.rabbit.listener.AbstractMessageListenerContainer;
import org.springframework.amqp.rabbit.listener.RabbitListenerEndpointRegistry;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Quorum queues with a small {@code x-delivery-limit} (requeues count towards it, and the broker drops a message
 * past it): a message whose key is held elsewhere, or whose store is down while fail-closed, waits on its consumer
 * for many more back-offs than the limit allows returns, and still runs once the key is free or the store is back:
 * it was never handed back to the broker while it waited, so it was never dropped. Also: stopping the container while
 * a message waits ends the wait at once (the stop does not sit out the container's shutdown timeout), gives the
 * message back unprocessed, and the restarted container processes it.
 */
@SpringBootTest(
        classes = RabbitDeliveryLimitTest.App.class,
        properties = {"spring.rabbitmq.listener.simple.prefetch=5", "dedup.rabbit.in-progress-backoff=50ms"})
class RabbitDeliveryLimitTest extends RabbitApplicationTest {
    static final String RUN = TestRabbit.run();
    static final String LIMITED = "dedup-boot-limited-" + RUN;
    static final String LIMITED_MANUAL = "dedup-boot-limited-manual-" + RUN;
    /** The queues' x-delivery-limit: a message requeued more often than this is dropped (no dead-letter exchange). */
    static final int DELIVERY_LIMIT = 2;
    /** Re-claims to wait for: well past the number of returns the limit allows. */
    static final int WAITS = 4 * (DELIVERY_LIMIT + 1);

    @Autowired
    FaultInjectingStore faults;

    @Autowired
    RabbitListenerEndpointRegistry registry;

    /** This run's queue names, for the listeners' placeholders. */
    @DynamicPropertySource
    static void queues(DynamicPropertyRegistry registry) {
        registry.add("test.limited", () -> LIMITED);
        registry.add("test.limited-manual", () -> LIMITED_MANUAL);
    }

    @AfterEach
    void storeUp() {
        faults.down(false);
    }

    @Test
    void a_message_whose_key_is_held_elsewhere_outwaits_the_delivery_limit_and_runs_once_the_key_is_free() {
        assertWaitsWhileHeldElsewhereThenRunsOnce(LIMITED, "held-" + RUN, WAITS);
    }

    @Test
    void in_manual_ack_mode_too_a_message_whose_key_is_held_elsewhere_outwaits_the_delivery_limit() {
        assertWaitsWhileHeldElsewhereThenRunsOnce(LIMITED_MANUAL, "held-manual-" + RUN, WAITS);
    }

    @Test
    void a_message_consumed_while_the_store_is_down_outwaits_the_delivery_limit_and_runs_once_the_store_is_back() {
        String id = "outage-" + RUN;
        faults.down(true);
        send(LIMITED, id);
        awaitOutcomes(LIMITED, "unavailable", WAITS);
        assertThat(calls.attempts(id)).isZero();
        faults.down(false);
        await().atMost(Duration.ofSeconds(30)).until(() -> calls.count(id) == 1);
    }

    @Test
    void stopping_the_container_while_a_message_waits_gives_it_back_unprocessed_and_the_restart_processes_it() {
        String held = "held-stop-" + RUN;
        AbstractMessageListenerContainer container =
                (AbstractMessageListenerContainer) registry.getListenerContainer("limited");
        // Far longer than the test waits for the stop: a consumer that kept waiting would hold the stop this long
        // before the container closed its channel.
        container.setShutdownTimeout(Duration.ofMinutes(2).toMillis());
        try (KeyHeldElsewhere elsewhere = KeyHeldElsewhere.hold(store, LIMITED, held)) {
            send(LIMITED, held);
            awaitOutcomes(LIMITED, "in_progress", 2);
            CompletableFuture<Void> stopped = CompletableFuture.runAsync(container::stop);
            await().atMost(Duration.ofSeconds(30)).until(stopped::isDone);
            assertThat(container.isRunning()).isFalse();
            assertThat(calls.attempts(held)).isZero();
        } finally {
            container.setShutdownTimeout(Duration.ofSeconds(5).toMillis());
            container.start();
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> calls.count(held) == 1);
    }

    @BrokerOnlyApplication
    @Import({Recording.class, TestRabbit.Observed.class, Listeners.class})
    static class App {
        @Bean
        Declarables queues() {
            return new Declarables(limited(LIMITED), limited(LIMITED_MANUAL));
        }

        /** The application's store, behind the test's fault switches (the starter uses it, not its own). */
        @Bean
        FaultInjectingStore dedupStore() {
            return FaultInjectingStore.inMemory();
        }

        /** A quorum queue (they are durable; the test deletes it) that drops a message returned too often. */
        private static Queue limited(String name) {
            return QueueBuilder.durable(name)
                    .quorum()
                    .deliveryLimit(DELIVERY_LIMIT)
                    .build();
        }
    }

    static class Listeners {
        @Autowired
        EventCounts calls;

        @RabbitListener(id = "limited", queues = "${test.limited}")
        void onLimited(Message message) {
            TestRabbit.run(calls, message);
        }

        @RabbitListener(id = "limited-manual", queues = "${test.limited-manual}", ackMode = "MANUAL")
        void onLimitedManual(Message message, Channel channel) throws IOException {
            TestRabbit.run(calls, message);
            channel.basicAck(message.getMessageProperties().getDeliveryTag(), false);
        }
    }
}
