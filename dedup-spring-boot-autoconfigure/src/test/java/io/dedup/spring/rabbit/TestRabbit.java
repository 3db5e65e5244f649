package io.dedup.spring.rabbit;

import io.dedup.spring.fixture.EventCounts;
import io.dedup.testkit.LocalServices;
import io.dedup.testkit.ServiceEndpoint;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.QueueBuilder;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * What every RabbitMQ test application of this module does with the local broker: connect to it, declare throw-away queues (named per run, so that parallel builds sharing the broker never meet), send a
 * message with its id, and record the dedup observations per queue ({@link Observed}, with the fixture's
 * {@link io.dedup.spring.fixture.Recording}).
 */
final class TestRabbit {
    private TestRabbit() {}

    /** A short random token that makes this run's queue names unique on the shared broker. */
    static String run() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    /** Points a test application at the local RabbitMQ. */
    static void connect(DynamicPropertyRegistry registry) {
        ServiceEndpoint rabbit = LocalServices.rabbitmq();
        registry.add("spring.rabbitmq.host", rabbit::host);
        registry.add("spring.rabbitmq.port", rabbit::port);
        registry.add("spring.rabbitmq.username", rabbit::user);
        registry.add("spring.rabbitmq.password", rabbit::password);
    }

    /** A non-durable, non-exclusive queue that stays after the context closes (the test deletes it). */
    static Queue queue(String name) {
        return new Queue(name, false, false, false);
    }

    /** A queue whose rejected messages the broker dead-letters to the default exchange, routing key name + "-dlq". */
    static Queue deadLettering(String name) {
        return QueueBuilder.nonDurable(name)
                .deadLetterExchange("")
                .deadLetterRoutingKey(name + "-dlq")
                .build();
    }

    /** Sends {@code "payload of " + messageId} to {@code queue} through the default exchange, with that message id. */
    static void send(RabbitTemplate template, String queue, String messageId) {
        template.convertAndSend("", queue, "payload of " + messageId, m -> {
            m.getMessageProperties().setMessageId(messageId);
            return m;
        });
    }

    /**
     * What the tests' listeners do with a message they process: note its delivery and its effect in {@code calls}.
     * Returns its message id.
     */
    static String run(EventCounts calls, Message message) {
        String id = message.getMessageProperties().getMessageId();
        calls.attempt(id);
        calls.ran(id);
        return id;
    }

    /** The dedup.outcome of each dedup.message observation, per queue, in order. Thread-safe. */
    static final class Observed implements ObservationHandler<Observation.Context> {
        private final Map<String, List<String>> outcomes = new ConcurrentHashMap<>();

        @Override
        public boolean supportsContext(Observation.Context context) {
            return true;
        }

        @Override
        public void onStop(Observation.Context context) {
            if (!"dedup.message".equals(context.getName())) {
                return;
            }
            String queue =
                    context.getLowCardinalityKeyValue("dedup.destination").getValue();
            outcomes.computeIfAbsent(queue, k -> new CopyOnWriteArrayList<>())
                    .add(context.getLowCardinalityKeyValue("dedup.outcome").getValue());
        }

        List<String> outcomes(String queue) {
            return outcomes.getOrDefault(queue, List.of());
        }
    }
}
