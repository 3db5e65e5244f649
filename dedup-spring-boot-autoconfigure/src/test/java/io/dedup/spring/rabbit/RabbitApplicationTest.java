package io.dedup.spring.rabbit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dedup.spi.DedupStore;
import io.dedup.spring.fixture.EventCounts;
import io.dedup.spring.fixture.KeyHeldElsewhere;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

/**
 * A test of a Spring Boot application with deduplicated {@code @RabbitListener}s against the local RabbitMQ: what the
 * test reads (the template, the listeners' {@link EventCounts}, the dedup observations per queue, the store), how it
 * sends and finds a dead-lettered message, the connection to the broker with the in-memory store, and the clean-up of
 * the queues the application declared. A subclass boots its application with {@code @SpringBootTest},
 * imports {@link io.dedup.spring.fixture.Recording} and {@link TestRabbit.Observed}, and declares its queues in one
 * {@link Declarables} bean.
 */
@TestPropertySource(properties = "dedup.store.type=memory")
abstract class RabbitApplicationTest {
    @Autowired
    RabbitTemplate template;

    @Autowired
    EventCounts calls;

    @Autowired
    TestRabbit.Observed observed;

    @Autowired
    DedupStore store;

    /** Sends {@code "payload of " + messageId} to {@code queue} for each id, in order, with that message id. */
    void send(String queue, String... messageIds) {
        for (String messageId : messageIds) {
            TestRabbit.send(template, queue, messageId);
        }
    }

    /**
     * Waits for {@code messageId} on {@code queue}'s dead-letter queue ({@code queue + "-dlq"}), and asserts that its
     * key was released, so that a redelivery may run it.
     */
    void assertDeadLetteredWithItsKeyReleased(String queue, String messageId) {
        Message dead = template.receive(queue + "-dlq", 30_000);
        assertThat(dead).as("the dead-lettered message").isNotNull();
        assertThat(dead.getMessageProperties().getMessageId()).isEqualTo(messageId);
        assertThat(KeyHeldElsewhere.isFree(store, queue, messageId))
                .as("the key was released, so a redelivery may run it")
                .isTrue();
    }

    /**
     * Sends {@code messageId} to {@code queue} while its key is held elsewhere, and asserts that the message waits on
     * its consumer, claimed again {@code waits} times without the listener running for it, and runs once when the key
     * is free.
     */
    void assertWaitsWhileHeldElsewhereThenRunsOnce(String queue, String messageId, int waits) {
        try (KeyHeldElsewhere elsewhere = KeyHeldElsewhere.hold(store, queue, messageId)) {
            send(queue, messageId);
            awaitOutcomes(queue, "in_progress", waits);
            assertThat(calls.count(messageId)).isZero();
        } // never ran: the key is released
        await().atMost(Duration.ofSeconds(30)).until(() -> calls.count(messageId) == 1);
    }

    /** Waits until {@code queue} had {@code count} more observations with {@code outcome} than when it was called. */
    void awaitOutcomes(String queue, String outcome, int count) {
        long before = occurrences(queue, outcome);
        await().atMost(Duration.ofSeconds(30)).until(() -> occurrences(queue, outcome) >= before + count);
    }

    private long occurrences(String queue, String outcome) {
        return observed.outcomes(queue).stream().filter(outcome::equals).count();
    }

    /** Connects the application to the local RabbitMQ. */
    @DynamicPropertySource
    static void rabbit(DynamicPropertyRegistry registry) {
        TestRabbit.connect(registry);
    }

    /** Deletes the application's queues: the broker is shared, and each run's names are new. */
    @AfterAll
    static void deleteQueues(@Autowired AmqpAdmin admin, @Autowired Declarables declared) {
        for (Queue queue : declared.getDeclarablesByType(Queue.class)) {
            admin.deleteQueue(queue.getName());
        }
    }
}
