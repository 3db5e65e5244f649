package io.dedup.spring.rabbit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import io.dedup.spring.fixture.BrokerOnlyApplication;
import io.dedup.spring.fixture.EventCounts;
import io.dedup.spring.fixture.Recording;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * {@code @RabbitListener} methods in acknowledge mode MANUAL against the local RabbitMQ, keyed by the message id: the
 * listener's own {@code basicAck} is sent once the key is recorded and a duplicate is acked by the starter without
 * calling the listener; a {@code basicNack} (requeue) or {@code basicReject} (no requeue) from the listener releases the
 * key, so the redelivery runs again, or the message reaches the dead-letter queue with its key free.
 *
 * <p>Prefetch 1: a delivery the starter failed to settle would stall the consumer, so a later message being processed
 * shows that every earlier one was acked or nacked.
 */
@SpringBootTest(
        classes = RabbitManualAckTest.App.class,
        properties = {"spring.rabbitmq.listener.simple.prefetch=1", "dedup.rabbit.in-progress-backoff=200ms"})
class RabbitManualAckTest extends RabbitApplicationTest {
    static final String RUN = TestRabbit.run();
    static final String ACKED = "dedup-boot-manual-ack-" + RUN;
    static final String NACKED = "dedup-boot-manual-nack-" + RUN;
    static final String REJECTED = "dedup-boot-manual-reject-" + RUN;
    static final String REJECTED_DLQ = REJECTED + "-dlq";

    /** This run's queue names, for the listeners' placeholders. */
    @DynamicPropertySource
    static void queues(DynamicPropertyRegistry registry) {
        registry.add("test.acked", () -> ACKED);
        registry.add("test.nacked", () -> NACKED);
        registry.add("test.rejected", () -> REJECTED);
    }

    @Test
    void a_listener_that_acks_itself_runs_once_for_two_copies_and_the_duplicate_is_acked_without_calling_it() {
        String a = "ack-" + RUN;
        String end = "ack-end-" + RUN;
        send(ACKED, a, a, end);
        await().atMost(Duration.ofSeconds(30)).until(() -> calls.count(end) == 1);

        assertThat(calls.attempts(a))
                .as("calls of the listener for the two copies")
                .isEqualTo(1);
        assertThat(calls.count(a)).isEqualTo(1);
        assertThat(observed.outcomes(ACKED)).containsExactly("processed", "duplicate", "processed");
    }

    @Test
    void a_listener_that_nacks_its_first_delivery_has_its_key_released_and_runs_again_on_the_redelivery() {
        String n = "nack-" + RUN;
        send(NACKED, n);
        await().atMost(Duration.ofSeconds(30)).until(() -> calls.count(n) == 1);
        assertThat(calls.attempts(n))
                .as("the nacked delivery and its redelivery")
                .isEqualTo(2);

        String end = "nack-end-" + RUN;
        send(NACKED, n, end);
        await().atMost(Duration.ofSeconds(30)).until(() -> calls.count(end) == 1);
        assertThat(calls.count(n)).as("the effect").isEqualTo(1);
        assertThat(calls.attempts(n)).as("the later copy is a duplicate").isEqualTo(2);
    }

    @Test
    void a_listener_that_rejects_without_requeue_releases_its_key_and_the_message_is_dead_lettered() {
        String r = "reject-" + RUN;
        send(REJECTED, r);
        assertDeadLetteredWithItsKeyReleased(REJECTED, r);
        assertThat(calls.attempts(r)).isEqualTo(1);
    }

    @BrokerOnlyApplication
    @Import({Recording.class, TestRabbit.Observed.class, Listeners.class})
    static class App {
        /** REJECTED dead-letters to REJECTED_DLQ through the default exchange. */
        @Bean
        Declarables queues() {
            return new Declarables(
                    TestRabbit.queue(ACKED),
                    TestRabbit.queue(NACKED),
                    TestRabbit.deadLettering(REJECTED),
                    TestRabbit.queue(REJECTED_DLQ));
        }
    }

    static class Listeners {
        @Autowired
        EventCounts calls;

        @RabbitListener(id = "manual-ack", queues = "${test.acked}", ackMode = "MANUAL")
        void onAcked(Message message, Channel channel) throws IOException {
            TestRabbit.run(calls, message);
            channel.basicAck(message.getMessageProperties().getDeliveryTag(), false);
        }

        @RabbitListener(id = "manual-nack", queues = "${test.nacked}", ackMode = "MANUAL")
        void onNacked(Message message, Channel channel) throws IOException {
            String id = message.getMessageProperties().getMessageId();
            long tag = message.getMessageProperties().getDeliveryTag();
            if (calls.attempt(id) == 1 && id.startsWith("nack-" + RUN)) {
                channel.basicNack(tag, false, true); // not yet: give it back
                return;
            }
            calls.ran(id);
            channel.basicAck(tag, false);
        }

        @RabbitListener(id = "manual-reject", queues = "${test.rejected}", ackMode = "MANUAL")
        void onRejected(Message message, Channel channel) throws IOException {
            calls.attempt(message.getMessageProperties().getMessageId());
            channel.basicReject(message.getMessageProperties().getDeliveryTag(), false);
        }
    }
}
