package io.dedup.spring.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dedup.spi.DedupStore;
import io.dedup.spring.fixture.EventCounts;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

/**
 * A test of a Spring Boot application with a deduplicated {@code @KafkaListener} on one topic, against the module's
 * Kafka broker and the in-memory store: the store, how the test sends, and what every such listener does with
 * duplicates. A subclass boots its application with {@code @SpringBootTest} and registers {@link EventCounts} as a
 * bean of it, which its listener tells of every record it ran.
 */
@TestPropertySource(
        properties = {
            "dedup.store.type=memory",
            // short, so that a held key comes back several times within a test's wait
            "dedup.kafka.in-progress-backoff=200ms"
        })
abstract class KafkaApplicationTest extends KafkaBrokerTest {
    @Autowired
    DedupStore store;

    @Test
    void duplicates_in_one_poll_and_across_polls_reach_the_listener_once() {
        String a = TestKafka.unique("a");
        String b = TestKafka.unique("b");
        send(a, a, b, a);
        template.flush();
        await().atMost(Duration.ofSeconds(30)).until(() -> calls.count(b) == 1);
        String end = TestKafka.unique("end");
        send(a, b, end);
        await().atMost(Duration.ofSeconds(30)).until(() -> calls.count(end) == 1);

        assertThat(calls.count(a)).isEqualTo(1);
        assertThat(calls.count(b)).isEqualTo(1);
    }

    /** Sends one record per id to {@link #topic}, in order; not flushed. */
    void send(String... eventIds) {
        for (String eventId : eventIds) {
            TestKafka.send(template, topic, eventId);
        }
    }
}
