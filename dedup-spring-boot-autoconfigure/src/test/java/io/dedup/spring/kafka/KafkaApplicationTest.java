package io.dedup.spring.kafka;

import io.dedup.spi.DedupStore;
import io.dedup.spring.fixture.EventCounts;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * A test of a Spring Boot application with a deduplicated {@code @KafkaListener} on one topic, against the module's
 * Kafka broker and the in-memory store: what the test reads and how it sends. A subclass boots its application with
 * {@code @SpringBootTest} and registers {@link EventCounts} as a bean of it.
 */
abstract class KafkaApplicationTest {
    @Autowired
    KafkaTemplate<String, String> template;

    @Autowired
    EventCounts calls;

    @Autowired
    DedupStore store;

    /** The topic the application's listener consumes. */
    abstract String topic();

    /**
     * Connects to the broker with the in-memory store, and a short in-progress back-off so that a held key comes back
     * several times within a test's wait.
     */
    static void connect(DynamicPropertyRegistry registry, String topic, String group) {
        TestKafka.connect(registry, topic, group);
        registry.add("dedup.store.type", () -> "memory");
        registry.add("dedup.kafka.in-progress-backoff", () -> "200ms");
    }

    /** Sends one record per id to {@link #topic()}, in order; not flushed. */
    void send(String... eventIds) {
        for (String eventId : eventIds) {
            TestKafka.send(template, topic(), eventId);
        }
    }
}
