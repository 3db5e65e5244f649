package io.dedup.spring.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dedup.DedupKey;
import io.dedup.spi.RecordState;
import io.dedup.spring.Deduplicated;
import io.dedup.spring.fixture.BrokerOnlyApplication;
import io.dedup.spring.fixture.EventCounts;
import io.dedup.spring.fixture.KeyHeldElsewhere;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.BatchInterceptor;
import org.springframework.kafka.listener.RecordInterceptor;
import org.springframework.kafka.support.Acknowledgment;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Listeners that acknowledge their records themselves (the application's container is in a MANUAL ack mode; a
 * subclass picks which): their ack is held until the key is recorded. Here the store does not take a record's
 * completion after the listener ran and acknowledged it, so its offset must not be committed (DESIGN §2, G5) until
 * the completion is recorded; the container's own ack would have committed it at once (MANUAL_IMMEDIATE) or with the
 * commit of the hand-back's nack (MANUAL). A record listener and a batch listener, each on its own topic.
 */
abstract class KafkaListenerOwnAcksTest {
    @Autowired
    KafkaTemplate<String, String> template;

    @Autowired
    EventCounts calls;

    @Autowired
    RefusedCompletions store;

    @Autowired
    KafkaListenerEndpointRegistry registry;

    @Value("${test.topic}")
    String topic;

    @Value("${test.group}")
    String group;

    @DynamicPropertySource
    static void kafka(DynamicPropertyRegistry registry) {
        TestKafka.connect(registry);
        CommitLog.install(registry);
        registry.add("dedup.kafka.in-progress-backoff", () -> "200ms");
    }

    @Test
    void a_record_listeners_own_ack_is_not_committed_before_its_key_is_recorded() {
        runsOnceAndCommitsOnlyWhenRecorded(topic, group);
    }

    @Test
    void a_batch_listeners_own_ack_is_not_committed_before_its_keys_are_recorded() {
        runsOnceAndCommitsOnlyWhenRecorded(topic + "-batch", group + "-batch");
    }

    @Test
    void a_batch_listeners_own_ack_does_not_commit_a_record_whose_key_is_held_elsewhere() {
        String batchTopic = topic + "-held";
        String batchGroup = group + "-held";
        String before = TestKafka.unique("before");
        String held = TestKafka.unique("held");
        String after = TestKafka.unique("after");
        try (KeyHeldElsewhere elsewhere = KeyHeldElsewhere.hold(store, batchGroup, held)) {
            TestKafka.sendForOffset(template, batchTopic, before);
            long heldAt = TestKafka.sendForOffset(template, batchTopic, held);
            TestKafka.sendForOffset(template, batchTopic, after);
            // Started once all three are on the topic, so that its first poll holds them all.
            registry.getListenerContainer("own-acks-held").start();
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> calls.attempts(held) >= 2 || CommitLog.highest(batchTopic) > heldAt);
            // The listener acknowledged its batch, which the record held elsewhere was not given to: it came back,
            // and its offset is not committed while its holder may still die.
            assertThat(CommitLog.highest(batchTopic))
                    .as("highest offset committed while %s (offset %d) is held elsewhere", held, heldAt)
                    .isLessThanOrEqualTo(heldAt);
            assertThat(calls.count(held)).isZero();
        } // never ran: the key is released
        await().atMost(Duration.ofSeconds(30)).until(() -> calls.count(held) == 1 && calls.count(after) == 1);
        assertThat(calls.count(before)).isEqualTo(1);
    }

    private void runsOnceAndCommitsOnlyWhenRecorded(String topic, String group) {
        String before = TestKafka.unique("before");
        String unrecorded = TestKafka.unique("unrecorded");
        String after = TestKafka.unique("after");
        store.refuse(unrecorded);
        TestKafka.sendForOffset(template, topic, before);
        long unrecordedAt = TestKafka.sendForOffset(template, topic, unrecorded);
        long afterAt = TestKafka.sendForOffset(template, topic, after);

        await().atMost(Duration.ofSeconds(30))
                .until(() -> calls.attempts(unrecorded) >= 2 || CommitLog.highest(topic) > unrecordedAt);
        assertThat(calls.count(unrecorded)).isEqualTo(1);
        // The listener acknowledged it, but its key is not recorded: it came back, its offset is not committed.
        assertThat(CommitLog.highest(topic))
                .as(
                        "highest offset committed while the completion of %s (offset %d) is not recorded",
                        unrecorded, unrecordedAt)
                .isLessThanOrEqualTo(unrecordedAt);
        assertThat(store.find(DedupKey.of(group, unrecorded)))
                .hasValueSatisfying(r -> assertThat(r.state()).isEqualTo(RecordState.IN_PROGRESS));

        store.allow(unrecorded);
        await().atMost(Duration.ofSeconds(30)).until(() -> TestKafka.committed(group, topic) == afterAt + 1);
        assertThat(calls.count(before)).isEqualTo(1);
        assertThat(calls.count(unrecorded)).isEqualTo(1);
        assertThat(calls.count(after)).isEqualTo(1);
    }

    @BrokerOnlyApplication
    @Import({EventCounts.class, Listeners.class, TestKafka.TestTopic.class})
    static class App {
        @Bean
        RefusedCompletions store() {
            return new RefusedCompletions();
        }

        @Bean
        NewTopic batchTopic(@Value("${test.topic}") String topic) {
            return TestKafka.topic(topic + "-batch");
        }

        @Bean
        NewTopic heldTopic(@Value("${test.topic}") String topic) {
            return TestKafka.topic(topic + "-held");
        }

        @Bean
        NewTopic partialTopic(@Value("${test.topic}") String topic) {
            return TestKafka.topic(topic + "-partial");
        }

        /** Sees every delivery to the record listener, redeliveries included. */
        @Bean
        RecordInterceptor<Object, Object> recordAttempts(EventCounts calls) {
            return new RecordInterceptor<>() {
                @Override
                public ConsumerRecord<Object, Object> intercept(
                        ConsumerRecord<Object, Object> record, Consumer<Object, Object> consumer) {
                    calls.attempt(TestKafka.eventId(record));
                    return record;
                }
            };
        }

        /** Sees every delivery to the batch listener, redeliveries included. */
        @Bean
        BatchInterceptor<Object, Object> batchAttempts(EventCounts calls) {
            return (records, consumer) -> {
                records.forEach(r -> calls.attempt(TestKafka.eventId(r)));
                return records;
            };
        }
    }

    static class Listeners {
        @Autowired
        EventCounts calls;

        @KafkaListener(id = "own-acks-records", groupId = "${test.group}", topics = "${test.topic}")
        @Deduplicated(key = "header:event-id")
        void onRecord(ConsumerRecord<String, String> record, Acknowledgment ack) {
            calls.ran(TestKafka.eventId(record));
            ack.acknowledge();
        }

        @KafkaListener(
                id = "own-acks-batches",
                groupId = "${test.group}-batch",
                topics = "${test.topic}-batch",
                batch = "true")
        @Deduplicated(key = "header:event-id")
        void onBatch(List<ConsumerRecord<String, String>> records, Acknowledgment ack) {
            for (ConsumerRecord<String, String> record : records) {
                calls.ran(TestKafka.eventId(record));
            }
            ack.acknowledge();
        }

        @KafkaListener(
                id = "own-acks-held",
                groupId = "${test.group}-held",
                topics = "${test.topic}-held",
                batch = "true",
                autoStartup = "false")
        @Deduplicated(key = "header:event-id")
        void onHeldBatch(List<ConsumerRecord<String, String>> records, Acknowledgment ack) {
            onBatch(records, ack);
        }

        /** The event ids of the partially acknowledging listener's first call. */
        volatile List<String> firstPartialCall;

        /** Acknowledges its last record by index, which needs MANUAL_IMMEDIATE: started only by such a test. */
        @KafkaListener(
                id = "own-acks-partial",
                groupId = "${test.group}-partial",
                topics = "${test.topic}-partial",
                batch = "true",
                autoStartup = "false")
        @Deduplicated(key = "header:event-id")
        void onPartialBatch(List<ConsumerRecord<String, String>> records, Acknowledgment ack) {
            if (firstPartialCall == null) {
                firstPartialCall = records.stream().map(TestKafka::eventId).toList();
            }
            for (ConsumerRecord<String, String> record : records) {
                calls.ran(TestKafka.eventId(record));
            }
            ack.acknowledge(records.size() - 1);
        }
    }
}
