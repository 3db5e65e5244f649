package io.dedup.spring.rabbit;

import io.dedup.spi.DedupStore;
import io.dedup.spring.fixture.EventCounts;
import org.junit.jupiter.api.AfterAll;
import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * A test of a Spring Boot application with deduplicated {@code @RabbitListener}s against the local RabbitMQ: what the
 * test reads (the template, the listeners' {@link EventCounts}, the dedup observations per queue, the store), and the
 * clean-up of the queues the application declared. A subclass boots its application with {@code @SpringBootTest},
 * imports {@link io.dedup.spring.fixture.Recording} and {@link TestRabbit.Observed}, and declares its queues in one
 * {@link Declarables} bean.
 */
abstract class RabbitApplicationTest {
    @Autowired
    RabbitTemplate template;

    @Autowired
    EventCounts calls;

    @Autowired
    TestRabbit.Observed observed;

    @Autowired
    DedupStore store;

    /** Sends {@code "payload of " + messageId} to {@code queue}, with that message id. */
    void send(String queue, String messageId) {
        TestRabbit.send(template, queue, messageId);
    }

    /** Deletes the application's queues: the broker is shared, and each run's names are new. */
    @AfterAll
    static void deleteQueues(@Autowired AmqpAdmin admin, @Autowired Declarables declared) {
        for (Queue queue : declared.getDeclarablesByType(Queue.class)) {
            admin.deleteQueue(queue.getName());
        }
    }
}
