package io.dedup.spring.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dedup.ClaimedBatch;
import io.dedup.DedupConsumer;
import io.dedup.spi.DedupStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.BatchInterceptor;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A batch {@code @KafkaListener} (Boot's {@code spring.kafka.listener.type=batch}) keyed by a property rather than an
 * annotation: each key's record reaches the listener once, whether its duplicates come in the same poll or later,
 * and a key held elsewhere comes back until it is free.
 */
@SpringBootTest(classes = KafkaBatchListenerTest.App.class)
class KafkaBatchListenerTest {
    static final String TOPIC = TestKafka.unique("batches");
    static final String GROUP = TestKafka.unique("batches-group");

    @DynamicPropertySource
    static void kafka(DynamicPropertyRegistry registry) {
        registry.add("spring.kafka.bootstrap-servers", () -> TestKafka.broker().bootstrapServers());
        registry.add("spring.kafka.consumer.auto-offset-reset", () -> "earliest");
        registry.add("spring.kafka.listener.type", () -> "batch");
        registry.add("test.topic", () -> TOPIC);
        registry.add("test.group", () -> GROUP);
        registry.add("dedup.store.type", () -> "memory");
        registry.add("dedup.kafka.in-progress-backoff", () -> "200ms");
        registry.add("dedup.kafka.listeners.batches.key", () -> "header:event-id");
    }

    @Autowired
    KafkaTemplate<String, String> template;

    @Autowired
    Seen seen;

    @Autowired
    DedupStore store;

    @Test
    void duplicates_in_one_poll_and_across_polls_reach_the_batch_listener_once() {
        String a = TestKafka.unique("a");
        String b = TestKafka.unique("b");
        send(a);
        send(a);
        send(b);
        send(a);
        template.flush();
        await().atMost(Duration.ofSeconds(30)).until(() -> seen.count(b) == 1);
        String end = TestKafka.unique("end");
        send(a);
        send(b);
        send(end);
        await().atMost(Duration.ofSeconds(30)).until(() -> seen.count(end) == 1);

        assertThat(seen.count(a)).isEqualTo(1);
        assertThat(seen.count(b)).isEqualTo(1);
    }

    @Test
    void a_key_held_elsewhere_goes_back_to_the_container_with_the_records_after_it_never_dropped() {
        String before = TestKafka.unique("before");
        String held = TestKafka.unique("held");
        String after = TestKafka.unique("after");
        DedupConsumer<String> other = DedupConsumer.<String>builder(Optional::of)
                .store(store)
                .namespace(GROUP)
                .build();
        ClaimedBatch<String> elsewhere = other.claimAll(List.of(held));
        try {
            send(before);
            send(held);
            send(after);
            template.flush();
            await().atMost(Duration.ofSeconds(30)).until(() -> seen.count(before) == 1);
            // Handed back with everything after it, in order, for as long as the key is held.
            await().atMost(Duration.ofSeconds(30)).until(() -> seen.delivered(held) >= 3);
            assertThat(seen.count(held)).isZero();
            assertThat(seen.count(after)).isZero();
        } finally {
            elsewhere.close(); // never ran: the key is released
            other.close();
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> seen.count(held) == 1 && seen.count(after) == 1);
        assertThat(seen.count(before)).isEqualTo(1);
        assertThat(seen.count(after)).isEqualTo(1);
    }

    private void send(String eventId) {
        ProducerRecord<String, String> record = new ProducerRecord<>(TOPIC, "payload of " + eventId);
        record.headers().add("event-id", eventId.getBytes(StandardCharsets.UTF_8));
        template.send(record);
    }

    /** How often each event id reached the listener. */
    static final class Seen {
        final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
        final Map<String, AtomicInteger> deliveries = new ConcurrentHashMap<>();

        int delivered(String id) {
            AtomicInteger n = deliveries.get(id);
            return n == null ? 0 : n.get();
        }

        int count(String id) {
            AtomicInteger n = runs.get(id);
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
        Seen seen() {
            return new Seen();
        }

        @Bean
        NewTopic topic(Environment env) {
            return TopicBuilder.name(env.getProperty("test.topic"))
                    .partitions(1)
                    .replicas(1)
                    .build();
        }

        /** The application's own batch interceptor: it sees every delivery, duplicates and redeliveries included. */
        @Bean
        BatchInterceptor<Object, Object> applicationInterceptor(Seen seen) {
            return (records, consumer) -> {
                records.forEach(r -> seen.deliveries
                        .computeIfAbsent(KafkaRecordListenerTest.header(r, "event-id"), k -> new AtomicInteger())
                        .incrementAndGet());
                return records;
            };
        }

        @Bean
        Listener listener(Seen seen) {
            return new Listener(seen);
        }
    }

    static class Listener {
        private final Seen seen;

        Listener(Seen seen) {
            this.seen = seen;
        }

        @KafkaListener(id = "batches", groupId = "${test.group}", topics = "${test.topic}")
        void onBatch(List<ConsumerRecord<String, String>> records) {
            for (ConsumerRecord<String, String> record : records) {
                String id = KafkaRecordListenerTest.header(record, "event-id");
                seen.runs.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
            }
        }
    }
}
