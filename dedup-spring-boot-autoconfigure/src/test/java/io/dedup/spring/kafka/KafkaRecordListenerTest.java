package io.dedup.spring.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dedup.ClaimedBatch;
import io.dedup.DedupConsumer;
import io.dedup.DedupKey;
import io.dedup.spi.DedupStore;
import io.dedup.spi.RecordState;
import io.dedup.spring.Deduplicated;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.kafka.listener.RecordInterceptor;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.util.backoff.FixedBackOff;

/**
 * A Spring Boot application with a record {@code @KafkaListener}, its own {@code RecordInterceptor}, and a
 * {@code DefaultErrorHandler} with a dead-letter recoverer, against a real broker: the starter deduplicates the
 * listener through its container without replacing any of them.
 */
@SpringBootTest(classes = KafkaRecordListenerTest.App.class)
class KafkaRecordListenerTest {
    static final String TOPIC = TestKafka.unique("records");
    static final String GROUP = TestKafka.unique("records-group");

    @DynamicPropertySource
    static void kafka(DynamicPropertyRegistry registry) {
        registry.add("spring.kafka.bootstrap-servers", () -> TestKafka.broker().bootstrapServers());
        registry.add("spring.kafka.consumer.group-id", () -> GROUP);
        registry.add("spring.kafka.consumer.auto-offset-reset", () -> "earliest");
        registry.add("test.topic", () -> TOPIC);
        registry.add("test.group", () -> GROUP);
        registry.add("dedup.store.type", () -> "memory");
        registry.add("dedup.kafka.in-progress-backoff", () -> "200ms");
        registry.add("spring.kafka.listener.observation-enabled", () -> "true");
    }

    @Autowired
    KafkaTemplate<String, String> template;

    @Autowired
    Calls calls;

    @Autowired
    DedupStore store;

    @Test
    void duplicates_in_one_poll_and_across_polls_run_the_listener_once() {
        String a = TestKafka.unique("a");
        String b = TestKafka.unique("b");
        send(a);
        send(a);
        send(b);
        send(a);
        template.flush();
        await().atMost(Duration.ofSeconds(30)).until(() -> calls.count(b) == 1);
        String end = TestKafka.unique("end");
        send(a);
        send(end);
        await().atMost(Duration.ofSeconds(30)).until(() -> calls.count(end) == 1);

        assertThat(calls.count(a)).isEqualTo(1);
        assertThat(calls.count(b)).isEqualTo(1);
    }

    @Test
    void the_applications_own_record_interceptor_still_runs_and_sees_duplicates() {
        String a = TestKafka.unique("seen");
        send(a);
        send(a);
        await().atMost(Duration.ofSeconds(30)).until(() -> calls.intercepted(a) == 2);
        assertThat(calls.count(a)).isEqualTo(1);
    }

    @Test
    void a_key_held_elsewhere_is_redelivered_after_a_back_off_and_runs_once_it_is_free() {
        String held = TestKafka.unique("held");
        DedupConsumer<String> other = DedupConsumer.<String>builder(Optional::of)
                .store(store)
                .namespace(GROUP)
                .build();
        ClaimedBatch<String> elsewhere = other.claimAll(List.of(held));
        try {
            assertThat(elsewhere.entries().get(0).mayRun()).isTrue();
            send(held);
            // Delivered, handed back, delivered again: the record is neither processed nor dropped.
            await().atMost(Duration.ofSeconds(30)).until(() -> calls.intercepted(held) >= 3);
            assertThat(calls.count(held)).isZero();
        } finally {
            elsewhere.close(); // never ran: the key is released
            other.close();
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> calls.count(held) == 1);
    }

    @Test
    void a_failing_listener_reaches_the_applications_dead_letter_topic_with_its_key_released() {
        String poison = "poison-" + TestKafka.unique("p");
        send(poison);
        List<ConsumerRecord<String, String>> dead = List.of();
        long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
        while (dead.isEmpty() && System.nanoTime() < deadline) {
            dead = TestKafka.readAll(TOPIC + "-dlt", Duration.ofSeconds(2)).stream()
                    .filter(r -> poison.equals(header(r, "event-id")))
                    .toList();
        }
        assertThat(dead).hasSize(1);
        assertThat(header(dead.get(0), "kafka_dlt-exception-message")).contains("boom " + poison);
        assertThat(header(dead.get(0), "kafka_dlt-original-topic")).isEqualTo(TOPIC);
        // The error handler retried once: the first failure released the key, so the retry ran the listener.
        assertThat(calls.count(poison)).isEqualTo(2);
        assertThat(store.find(DedupKey.of(GROUP, poison)))
                .hasValueSatisfying(r -> assertThat(r.state()).isEqualTo(RecordState.RELEASED));
    }

    @Test
    void each_message_gets_an_observation_with_its_outcome_nested_in_the_listener_containers_observation() {
        String a = TestKafka.unique("observed");
        send(a);
        send(a);
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
                eventId.set(header(receiver.getRecord(), "event-id"));
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

    private void send(String eventId) {
        ProducerRecord<String, String> record = new ProducerRecord<>(TOPIC, "payload of " + eventId);
        record.headers().add("event-id", eventId.getBytes(StandardCharsets.UTF_8));
        template.send(record);
    }

    static String header(ConsumerRecord<?, ?> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    /** What the listener and the application's interceptor saw, per event id. */
    static final class Calls {
        final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
        final Map<String, AtomicInteger> intercepts = new ConcurrentHashMap<>();

        void ran(String id) {
            runs.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
        }

        void intercepted(ConsumerRecord<?, ?> record) {
            intercepts
                    .computeIfAbsent(header(record, "event-id"), k -> new AtomicInteger())
                    .incrementAndGet();
        }

        int count(String id) {
            AtomicInteger n = runs.get(id);
            return n == null ? 0 : n.get();
        }

        int intercepted(String id) {
            AtomicInteger n = intercepts.get(id);
            return n == null ? 0 : n.get();
        }
    }

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration(
            excludeName = {
                "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
                "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration",
                // the same on Spring Boot 3.5
                "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration",
                "org.springframework.boot.autoconfigure.data.redis.RedisAutoConfiguration"
            })
    static class App {
        @Bean
        Calls calls() {
            return new Calls();
        }

        @Bean
        Observed observed() {
            return new Observed();
        }

        @Bean
        ObservationRegistry observationRegistry(Observed observed) {
            ObservationRegistry registry = ObservationRegistry.create();
            registry.observationConfig().observationHandler(observed);
            return registry;
        }

        @Bean
        NewTopic topic(org.springframework.core.env.Environment env) {
            return TopicBuilder.name(env.getProperty("test.topic"))
                    .partitions(1)
                    .replicas(1)
                    .build();
        }

        @Bean
        NewTopic deadLetters(org.springframework.core.env.Environment env) {
            return TopicBuilder.name(env.getProperty("test.topic") + "-dlt")
                    .partitions(1)
                    .replicas(1)
                    .build();
        }

        @Bean
        RecordInterceptor<Object, Object> applicationInterceptor(Calls calls) {
            return new RecordInterceptor<>() {
                @Override
                public ConsumerRecord<Object, Object> intercept(
                        ConsumerRecord<Object, Object> record, Consumer<Object, Object> consumer) {
                    calls.intercepted(record);
                    return record;
                }
            };
        }

        @Bean
        DefaultErrorHandler errorHandler(KafkaTemplate<Object, Object> template) {
            return new DefaultErrorHandler(new DeadLetterPublishingRecoverer(template), new FixedBackOff(0, 1));
        }

        @Bean
        Listener listener(Calls calls) {
            return new Listener(calls);
        }
    }

    static class Listener {
        private final Calls calls;

        Listener(Calls calls) {
            this.calls = calls;
        }

        @KafkaListener(id = "records", groupId = "${test.group}", topics = "${test.topic}")
        @Deduplicated(key = "header:event-id")
        void onRecord(ConsumerRecord<String, String> record) {
            String id = header(record, "event-id");
            calls.ran(id);
            if (id.startsWith("poison-")) {
                throw new IllegalStateException("boom " + id);
            }
        }
    }
}
