package io.dedup.spring.kafka;

import io.dedup.spring.fixture.EventCounts;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A test of a Spring Boot application with deduplicated {@code @KafkaListener}s against the module's Kafka broker:
 * the connection, with a topic and a group of the application's own, and what every such test reads. A subclass
 * boots its application with {@code @SpringBootTest} and registers {@link EventCounts} as a bean of it, which its
 * listeners tell of every record they ran.
 */
abstract class KafkaBrokerTest {
    @Autowired
    KafkaTemplate<String, String> template;

    @Autowired
    EventCounts calls;

    /** The application's topic; a listener on a topic of its own adds a suffix to it. */
    @Value("${test.topic}")
    String topic;

    /** The application's consumer group, the namespace of its listener's keys; another listener adds a suffix. */
    @Value("${test.group}")
    String group;

    /** Connects the application to the broker, with a topic and group of its own. */
    @DynamicPropertySource
    static void kafka(DynamicPropertyRegistry registry) {
        TestKafka.connect(registry);
    }
}
