package io.dedup.spring.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dedup.DedupKey;
import io.dedup.spi.RecordState;
import io.dedup.spring.Deduplicated;
import io.dedup.spring.fixture.BrokerOnlyApplication;
import io.dedup.spring.fixture.EventCounts;
import io.dedup.spring.fixture.KeyHeldElsewhere;
import io.dedup.spring.fixture.Recording;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.FixedBackOff;

/**
 * A Spring Boot application with a record {@code @KafkaListener}, its own {@code RecordInterceptor}, and a
 * {@code DefaultErrorHandler} with a dead-letter recoverer, against a real broker: the starter deduplicates the
 * listener through its container without replacing any of them.
 */
@SpringBootTest(
        classes = KafkaRecordListenerTest.App.class,
        properties = {"spring.kafka.consumer.group-id=${test.group}", "spring.kafka.listener.observation-enabled=true"})
class KafkaRecordListenerTest extends KafkaApplicationTest {
    @Test
    void the_applications_own_record_interceptor_still_runs_and_sees_duplicates() {
        String a = TestKafka.unique("seen");
        send(a, a);
        await().atMost(Duration.ofSeconds(30)).until(() -> calls.attempts(a) == 2);
        assertThat(calls.count(a)).isEqualTo(1);
    }

    @Test
    void a_key_held_elsewhere_is_redelivered_after_a_back_off_and_runs_once_it_is_free() {
        String held = TestKafka.unique("held");
        try (KeyHeldElsewhere elsewhere = KeyHeldElsewhere.hold(store, group, held)) {
            send(held);
            // Delivered, handed back, delivered again: the record is neither processed nor dropped.
            await().atMost(Duration.ofSeconds(30)).until(() -> calls.attempts(held) >= 3);
            assertThat(calls.count(held)).isZero();
        } // never ran: the key is released
        await().atMost(Duration.ofSeconds(30)).until(() -> calls.count(held) == 1);
    }

    @Test
    void a_failing_listener_reaches_the_applications_dead_letter_topic_with_its_key_released() {
        String poison = "poison-" + TestKafka.unique("p");
        send(poison);
        List<ConsumerRecord<String, String>> dead = List.of();
        long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
        while (dead.isEmpty() && System.nanoTime() < deadline) {
            dead = TestKafka.readAll(topic + "-dlt", Duration.ofSeconds(2)).stream()
                    .filter(r -> poison.equals(TestKafka.eventId(r)))
                    .toList();
        }
        assertThat(dead).hasSize(1);
        assertThat(TestKafka.header(dead.get(0), "kafka_dlt-exception-message")).contains("boom " + poison);
        assertThat(TestKafka.header(dead.get(0), "kafka_dlt-original-topic")).isEqualTo(topic);
        // The error handler retried once: the first failure released the key, so the retry ran the listener.
        assertThat(calls.count(poison)).isEqualTo(2);
        assertThat(store.find(DedupKey.of(group, poison)))
                .hasValueSatisfying(r -> assertThat(r.state()).isEqualTo(RecordState.RELEASED));
    }

    @Test
    void each_message_gets_an_observation_with_its_outcome_nested_in_the_listener_containers_observation() {
        String a = TestKafka.unique("observed");
        send(a, a);
        await().atMost(Duration.ofSeconds(30)).until(() -> observed.outcomes(a).size() == 2);

        assertThat(observed.outcomes(a)).containsExactly("processed", "duplicate");
        assertThat(observed.parents(a)).containsOnly("spring.kafka.listener");
    }

    @Autowired
    Observed observed;

    /** The dedup observations the application's registry saw, per event id, in order. */
    static final class Observed implements ObservationHandler<Observation.Context> {
        final Map<String, List<String>> outcomes = new ConcurrentHashMap<>();
        final Map<String, List<String>> parents = new ConcurrentHashMap<>();
        final ThreadLocal<String> eventId = new ThreadLocal<>();

        @Override
        public boolean supportsContext(Observation.Context context) {
            return true;
        }

        @Override
        public void onStart(Observation.Context context) {
            if (context instanceof org.springframework.kafka.support.micrometer.KafkaRecordReceiverContext receiver) {
                eventId.set(TestKafka.eventId(receiver.getRecord()));
            }
        }

        @Override
        public void onStop(Observation.Context context) {
            if (!"dedup.message".equals(context.getName()) || eventId.get() == null) {
                return;
            }
            String id = eventId.get();
            outcomes.computeIfAbsent(id, k -> new java.util.concurrent.CopyOnWriteArrayList<>())
                    .add(context.getLowCardinalityKeyValue("dedup.outcome").getValue());
            parents.computeIfAbsent(id, k -> new java.util.concurrent.CopyOnWriteArrayList<>())
                    .add(
                            context.getParentObservation() == null
                                    ? "none"
                                    : context.getParentObservation()
                                            .getContextView()
                                            .getName());
        }

        List<String> outcomes(String id) {
            return outcomes.getOrDefault(id, List.of());
        }

        List<String> parents(String id) {
            return parents.getOrDefault(id, List.of());
        }
    }

    @BrokerOnlyApplication
    @Import({Recording.class, Observed.class, Listener.class, TestKafka.TestTopic.class, TestKafka.RecordAttempts.class
    })
    static class App {
        @Bean
        NewTopic deadLetters(@Value("${test.topic}") String topic) {
            return TestKafka.topic(topic + "-dlt");
        }

        @Bean
        DefaultErrorHandler errorHandler(KafkaTemplate<Object, Object> template) {
            return new DefaultErrorHandler(new DeadLetterPublishingRecoverer(template), new FixedBackOff(0, 1));
        }
    }

    static class Listener {
        @Autowired
        EventCounts calls;

        @KafkaListener(id = "records", groupId = "${test.group}", topics = "${test.topic}")
        @Deduplicated(key = "header:event-id")
        void onRecord(ConsumerRecord<String, String> record) {
            String id = TestKafka.eventId(record);
            calls.ran(id);
            if (id.startsWith("poison-")) {
                throw new IllegalStateException("boom " + id);
            }
        }
    }
}
