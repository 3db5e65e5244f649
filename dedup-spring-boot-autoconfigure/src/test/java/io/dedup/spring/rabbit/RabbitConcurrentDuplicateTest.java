package io.dedup.spring.rabbit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dedup.testkit.LocalServices;
import io.dedup.testkit.ServiceEndpoint;
import io.micrometer.observation.ObservationRegistry;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.QueueInformation;
import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Two copies of one message id delivered at once to two consumers of one queue (concurrency 2, prefetch 1, AUTO ack):
 * while the first copy's listener runs, the second copy finds its key in progress and is requeued after the back-off,
 * again and again; once the first is done, the second is answered as a duplicate. The listener's effect happens once
 * and the queue ends empty: the second copy was neither run nor dropped.
 */
@SpringBootTest(classes = RabbitConcurrentDuplicateTest.App.class)
class RabbitConcurrentDuplicateTest {
    static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    static final String QUEUE = "dedup-boot-concurrent-" + RUN;

    @DynamicPropertySource
    static void services(DynamicPropertyRegistry registry) {
        ServiceEndpoint rabbit = LocalServices.rabbitmq();
        registry.add("spring.rabbitmq.host", rabbit::host);
        registry.add("spring.rabbitmq.port", rabbit::port);
        registry.add("spring.rabbitmq.username", rabbit::user);
        registry.add("spring.rabbitmq.password", rabbit::password);
        // One unacked message per consumer: the second copy goes to the consumer that is not busy with the first.
        registry.add("spring.rabbitmq.listener.simple.prefetch", () -> "1");
        registry.add("test.queue", () -> QUEUE);
        registry.add("dedup.store.type", () -> "memory");
        registry.add("dedup.rabbit.in-progress-backoff", () -> "100ms");
    }

    @Autowired
    RabbitTemplate template;

    @Autowired
    AmqpAdmin admin;

    @Autowired
    RabbitListenerTest.Calls calls;

    @Autowired
    RabbitListenerTest.Observed observed;

    @Autowired
    Gate gate;

    @Test
    void a_duplicate_arriving_while_the_first_copy_runs_is_requeued_then_answered_as_a_duplicate_never_dropped()
            throws InterruptedException {
        String id = "both-" + RUN;
        send(id);
        assertThat(gate.started.await(30, TimeUnit.SECONDS))
                .as("the first copy reached the listener")
                .isTrue();
        send(id);
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

    @AfterAll
    static void deleteQueue(@Autowired AmqpAdmin admin) {
        admin.deleteQueue(QUEUE);
    }

    private void send(String messageId) {
        template.convertAndSend("", QUEUE, "payload of " + messageId, m -> {
            m.getMessageProperties().setMessageId(messageId);
            return m;
        });
    }

    /** Holds the listener's first call until the test releases it. */
    static final class Gate {
        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
    }

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration(
            excludeName = {
                "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
                "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration",
                "org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration",
                // the same on Spring Boot 3.5
                "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration",
                "org.springframework.boot.autoconfigure.data.redis.RedisAutoConfiguration",
                "org.springframework.boot.autoconfigure.kafka.KafkaAutoConfiguration"
            })
    static class App {
        @Bean
        RabbitListenerTest.Calls calls() {
            return new RabbitListenerTest.Calls();
        }

        @Bean
        RabbitListenerTest.Observed observed() {
            return new RabbitListenerTest.Observed();
        }

        @Bean
        ObservationRegistry observationRegistry(RabbitListenerTest.Observed observed) {
            ObservationRegistry registry = ObservationRegistry.create();
            registry.observationConfig().observationHandler(observed);
            return registry;
        }

        @Bean
        Gate gate() {
            return new Gate();
        }

        @Bean
        Queue queue(Environment env) {
            return new Queue(env.getProperty("test.queue"), false, false, false);
        }

        @Bean
        Listener listener(RabbitListenerTest.Calls calls, Gate gate) {
            return new Listener(calls, gate);
        }
    }

    static class Listener {
        private final RabbitListenerTest.Calls calls;
        private final Gate gate;

        Listener(RabbitListenerTest.Calls calls, Gate gate) {
            this.calls = calls;
            this.gate = gate;
        }

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
