package io.dedup.spring.rabbit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dedup.spring.fixture.BrokerOnlyApplication;
import io.dedup.spring.fixture.EventCounts;
import io.dedup.spring.fixture.Recording;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.QueueInformation;
import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Two copies of one message id delivered at once to two consumers of one queue (concurrency 2, prefetch 1, AUTO ack):
 * while the first copy's listener runs, the second copy finds its key in progress and is requeued after the back-off,
 * again and again; once the first is done, the second is answered as a duplicate. The listener's effect happens once
 * and the queue ends empty: the second copy was neither run nor dropped.
 */
@SpringBootTest(
        classes = RabbitConcurrentDuplicateTest.App.class,
        properties = {
            // One unacked message per consumer: the second copy goes to the consumer that is not busy with the first.
            "spring.rabbitmq.listener.simple.prefetch=1",
            "dedup.rabbit.in-progress-backoff=100ms"
        })
class RabbitConcurrentDuplicateTest extends RabbitApplicationTest {
    static final String RUN = TestRabbit.run();
    static final String QUEUE = "dedup-boot-concurrent-" + RUN;

    /** This run's queue name, for the listener's placeholder. */
    @DynamicPropertySource
    static void queue(DynamicPropertyRegistry registry) {
        registry.add("test.queue", () -> QUEUE);
    }

    @Autowired
    AmqpAdmin admin;

    @Autowired
    Gate gate;

    @Test
    void a_duplicate_arriving_while_the_first_copy_runs_is_requeued_then_answered_as_a_duplicate_never_dropped()
            throws InterruptedException {
        String id = "both-" + RUN;
        send(QUEUE, id);
        assertThat(gate.started.await(30, TimeUnit.SECONDS))
                .as("the first copy reached the listener")
                .isTrue();
        send(QUEUE, id);
        try {
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> observed.outcomes(QUEUE).stream()
                                    .filter("in_progress"::equals)
                                    .count()
                            >= 2);
            assertThat(calls.count(id)).as("the first copy is still running").isZero();
            assertThat(calls.attempts(id))
                    .as("the second copy never reached the listener")
                    .isEqualTo(1);
        } finally {
            gate.release.countDown();
        }

        await().atMost(Duration.ofSeconds(30))
                .until(() -> observed.outcomes(QUEUE).contains("duplicate"));
        assertThat(calls.count(id)).as("the effect").isEqualTo(1);
        assertThat(calls.attempts(id)).as("calls of the listener").isEqualTo(1);
        assertThat(observed.outcomes(QUEUE))
                .as("one processed, one duplicate, the rest requeues")
                .containsOnly("processed", "duplicate", "in_progress")
                .filteredOn(o -> !o.equals("in_progress"))
                .containsExactlyInAnyOrder("processed", "duplicate");
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            QueueInformation info = admin.getQueueInfo(QUEUE);
            return info != null && info.getMessageCount() == 0;
        });
    }

    /** Holds the listener's first call until the test releases it. */
    static final class Gate {
        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
    }

    @BrokerOnlyApplication
    @Import({Recording.class, TestRabbit.Observed.class, Gate.class, Listener.class})
    static class App {
        @Bean
        Declarables queues() {
            return new Declarables(TestRabbit.queue(QUEUE));
        }
    }

    static class Listener {
        @Autowired
        EventCounts calls;

        @Autowired
        Gate gate;

        @RabbitListener(id = "concurrent", queues = "${test.queue}", concurrency = "2")
        void onMessage(Message message) throws InterruptedException {
            String id = message.getMessageProperties().getMessageId();
            if (calls.attempt(id) == 1) {
                gate.started.countDown();
                if (!gate.release.await(60, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("never released: " + id);
                }
            }
            calls.ran(id);
        }
    }
}
