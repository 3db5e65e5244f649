package io.dedup.spring.rabbit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dedup.spring.Deduplicated;
import io.dedup.spring.fixture.BrokerOnlyApplication;
import io.dedup.spring.fixture.EventCounts;
import io.dedup.spring.fixture.Recording;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.messaging.handler.annotation.Header;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * {@code @RabbitListener} methods against the local RabbitMQ, keyed by the message id: duplicates within the prefetch
 * window and across deliveries reach the listener once; a message whose key is held elsewhere waits on its consumer,
 * claimed again after each back-off, until the key is free; Boot's retry interceptor still retries a failing listener
 * inside the one claim; an RPC reply is replayed to a duplicate's reply-to.
 */
@SpringBootTest(
        classes = RabbitListenerTest.App.class,
        properties = {
            "spring.rabbitmq.listener.simple.prefetch=50",
            "spring.rabbitmq.listener.simple.retry.enabled=true",
            // Three attempts: Boot 4 counts retries after the first, Boot 3.5 attempts.
            "spring.rabbitmq.listener.simple.retry.max-retries=2",
            "spring.rabbitmq.listener.simple.retry.max-attempts=3",
            "spring.rabbitmq.listener.simple.retry.initial-interval=50ms",
            "dedup.rabbit.in-progress-backoff=200ms",
            "dedup.rabbit.listeners.rpc.key=header:request-id"
        })
class RabbitListenerTest extends RabbitApplicationTest {
    static final String RUN = TestRabbit.run();
    static final String ORDERS = "dedup-boot-orders-" + RUN;
    static final String FLAKY = "dedup-boot-flaky-" + RUN;
    static final String RPC = "dedup-boot-rpc-" + RUN;
    static final String POISON = "dedup-boot-poison-" + RUN;
    static final String POISON_DLQ = POISON + "-dlq";

    /** This run's queue names, for the listeners' placeholders. */
    @DynamicPropertySource
    static void queues(DynamicPropertyRegistry registry) {
        registry.add("test.orders", () -> ORDERS);
        registry.add("test.flaky", () -> FLAKY);
        registry.add("test.rpc", () -> RPC);
        registry.add("test.poison", () -> POISON);
    }

    @Test
    void duplicates_in_the_prefetch_window_and_across_deliveries_reach_the_listener_once() {
        String a = "a-" + RUN;
        String b = "b-" + RUN;
        send(ORDERS, a, a, b, a);
        await().atMost(Duration.ofSeconds(30)).until(() -> calls.count(b) == 1);
        String end = "end-" + RUN;
        send(ORDERS, a, b, end);
        await().atMost(Duration.ofSeconds(30)).until(() -> calls.count(end) == 1);

        assertThat(calls.count(a)).isEqualTo(1);
        assertThat(calls.count(b)).isEqualTo(1);
    }

    @Test
    void a_message_whose_key_is_held_elsewhere_waits_on_its_consumer_until_it_is_free_never_dropped() {
        assertWaitsWhileHeldElsewhereThenRunsOnce(ORDERS, "held-" + RUN, 3);
    }

    @Test
    void boots_retry_advice_retries_a_failing_listener_inside_the_one_claim_and_its_effect_happens_once() {
        String flaky = "flaky-" + RUN;
        send(FLAKY, flaky);
        await().atMost(Duration.ofSeconds(30)).until(() -> calls.count(flaky) == 1);
        assertThat(calls.attempts(flaky)).isEqualTo(3);
        assertThat(calls.unclaimed).as("attempts that ran without the claim").isEmpty();

        String end = "flaky-end-" + RUN;
        send(FLAKY, flaky, end);
        await().atMost(Duration.ofSeconds(30)).until(() -> calls.count(end) == 1);
        assertThat(calls.count(flaky)).isEqualTo(1);
        assertThat(calls.attempts(flaky)).as("a duplicate is never retried").isEqualTo(3);
    }

    @Test
    void an_rpc_reply_is_stored_and_replayed_to_the_duplicates_reply_to() {
        String request = "rpc-" + RUN;
        Object first = template.convertSendAndReceive("", RPC, "ping", m -> {
            m.getMessageProperties().setHeader("request-id", request);
            return m;
        });
        Object second = template.convertSendAndReceive("", RPC, "ping", m -> {
            m.getMessageProperties().setHeader("request-id", request);
            return m;
        });
        assertThat(first).isEqualTo("pong 1 for ping");
        assertThat(second).isEqualTo(first);
        assertThat(calls.count(request)).isEqualTo(1);
    }

    @Test
    void a_listener_that_keeps_failing_is_retried_by_boot_then_dead_lettered_with_its_key_released() {
        String poison = "poison-" + RUN;
        send(POISON, poison);
        assertDeadLetteredWithItsKeyReleased(POISON, poison);
        assertThat(calls.attempts(poison)).as("Boot's retry attempts").isEqualTo(3);
    }

    @BrokerOnlyApplication
    @Import({Recording.class, TestRabbit.Observed.class, Listeners.class})
    static class App {
        /** POISON dead-letters to POISON_DLQ through the default exchange. */
        @Bean
        Declarables queues() {
            return new Declarables(
                    TestRabbit.queue(ORDERS),
                    TestRabbit.queue(FLAKY),
                    TestRabbit.queue(RPC),
                    TestRabbit.deadLettering(POISON),
                    TestRabbit.queue(POISON_DLQ));
        }
    }

    static class Listeners {
        @Autowired
        EventCounts calls;

        @RabbitListener(id = "orders", queues = "${test.orders}")
        void onOrder(Message message) {
            calls.ran(message.getMessageProperties().getMessageId());
        }

        @RabbitListener(id = "flaky", queues = "${test.flaky}")
        @Deduplicated(key = "message-id")
        void onFlaky(Message message) {
            String id = message.getMessageProperties().getMessageId();
            if (io.dedup.Claim.current().isEmpty()) {
                calls.unclaimed.add(id);
            }
            if (calls.attempt(id) < 3 && id.startsWith("flaky-" + RUN)) {
                throw new IllegalStateException("not yet: " + id);
            }
            calls.ran(id);
        }

        @RabbitListener(id = "poison", queues = "${test.poison}")
        void onPoison(Message message) {
            String id = message.getMessageProperties().getMessageId();
            calls.attempt(id);
            throw new IllegalStateException("poison " + id);
        }

        @RabbitListener(id = "rpc", queues = "${test.rpc}")
        String onRequest(String body, @Header("request-id") String requestId) {
            return "pong " + calls.ran(requestId) + " for " + body;
        }
    }
}
