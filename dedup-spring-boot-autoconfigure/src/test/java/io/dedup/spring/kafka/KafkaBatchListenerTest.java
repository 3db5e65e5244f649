package io.dedup.spring.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dedup.spring.fixture.BrokerOnlyApplication;
import io.dedup.spring.fixture.EventCounts;
import io.dedup.spring.fixture.KeyHeldElsewhere;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.kafka.annotation.KafkaListener;

/**
 * A batch {@code @KafkaListener} (Boot's {@code spring.kafka.listener.type=batch}) keyed by a property rather than an
 * annotation: each key's record reaches the listener once, whether its duplicates come in the same poll or later,
 * and a key held elsewhere comes back until it is free.
 */
@SpringBootTest(
        classes = KafkaBatchListenerTest.App.class,
        properties = {"spring.kafka.listener.type=batch", "dedup.kafka.listeners.batches.key=header:event-id"})
class KafkaBatchListenerTest extends KafkaApplicationTest {
    @Test
    void a_key_held_elsewhere_goes_back_to_the_container_with_the_records_after_it_never_dropped() {
        String before = TestKafka.unique("before");
        String held = TestKafka.unique("held");
        String after = TestKafka.unique("after");
        try (KeyHeldElsewhere elsewhere = KeyHeldElsewhere.hold(store, group, held)) {
            send(before, held, after);
            template.flush();
            await().atMost(Duration.ofSeconds(30)).until(() -> calls.count(before) == 1);
            // Handed back with everything after it, in order, for as long as the key is held.
            await().atMost(Duration.ofSeconds(30)).until(() -> calls.attempts(held) >= 3);
            assertThat(calls.count(held)).isZero();
            assertThat(calls.count(after)).isZero();
        } // never ran: the key is released
        await().atMost(Duration.ofSeconds(30)).until(() -> calls.count(held) == 1 && calls.count(after) == 1);
        assertThat(calls.count(before)).isEqualTo(1);
        assertThat(calls.count(after)).isEqualTo(1);
    }

    @BrokerOnlyApplication
    @Import({EventCounts.class, Listener.class, TestKafka.TestTopic.class, TestKafka.BatchAttempts.class})
    static class App {}

    static class Listener {
        @Autowired
        EventCounts calls;

        @KafkaListener(id = "batches", groupId = "${test.group}", topics = "${test.topic}")
        void onBatch(List<ConsumerRecord<String, String>> records) {
            TestKafka.ranAll(calls, records);
        }
    }
}
