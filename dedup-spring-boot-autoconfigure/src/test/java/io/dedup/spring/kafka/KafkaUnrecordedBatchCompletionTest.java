package io.dedup.spring.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dedup.DedupKey;
import io.dedup.spi.RecordState;
import io.dedup.spring.fixture.BrokerOnlyApplication;
import io.dedup.spring.fixture.EventCounts;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.BatchInterceptor;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A batch listener whose listener ran for a record but whose completion the store did not take (core keeps it and
 * writes it later): the poll's records before it are committed, it and the records after it are not until its
 * completion is recorded, and then it is a duplicate (DESIGN §2, G5: the offset commit comes after the store recorded
 * the outcome). Committing it earlier would let a crash before the late write free the key, and a later copy of the
 * message would run the listener again.
 */
@SpringBootTest(
        classes = KafkaUnrecordedBatchCompletionTest.App.class,
        properties = {
            "spring.kafka.listener.type=batch",
            "dedup.kafka.listeners.unrecorded-batches.key=header:event-id",
            "dedup.kafka.in-progress-backoff=200ms"
        })
class KafkaUnrecordedBatchCompletionTest {
    @Autowired
    KafkaTemplate<String, String> template;

    @Autowired
    EventCounts calls;

    @Autowired
    RefusedCompletions store;

    @Autowired
    KafkaListenerEndpointRegistry registry;

    @Autowired
    Listener listener;

    @Value("${test.topic}")
    String topic;

    @Value("${test.group}")
    String group;

    @DynamicPropertySource
    static void kafka(DynamicPropertyRegistry registry) {
        TestKafka.connect(registry);
        CommitLog.install(registry);
    }

    @Test
    void a_record_whose_completion_is_not_recorded_is_not_committed_until_it_is_and_then_is_a_duplicate() {
        String before = TestKafka.unique("before");
        String unrecorded = TestKafka.unique("unrecorded");
        String after = TestKafka.unique("after");
        store.refuse(unrecorded);
        TestKafka.sendForOffset(template, topic, before);
        long unrecordedAt = TestKafka.sendForOffset(template, topic, unrecorded);
        long afterAt = TestKafka.sendForOffset(template, topic, after);
        // Started once all three are on the topic, so that its first poll holds them all.
        registry.getListenerContainer("unrecorded-batches").start();

        await().atMost(Duration.ofSeconds(30))
                .until(() -> calls.attempts(unrecorded) >= 2 || CommitLog.highest(topic) > unrecordedAt);
        assertThat(listener.firstCall).as("the listener's first call").containsExactly(before, unrecorded, after);
        assertThat(store.refusals()).isPositive();
        assertThat(calls.count(unrecorded)).isEqualTo(1);
        // The record before it is committed, it is not, not even for a moment: it came back instead.
        assertThat(CommitLog.highest(topic))
                .as(
                        "highest offset committed while the completion of %s (offset %d) is not recorded",
                        unrecorded, unrecordedAt)
                .isEqualTo(unrecordedAt);
        assertThat(TestKafka.committed(group, topic))
                .as("committed offset while the completion of %s (offset %d) is not recorded", unrecorded, unrecordedAt)
                .isEqualTo(unrecordedAt);
        assertThat(store.find(DedupKey.of(group, unrecorded)))
                .hasValueSatisfying(r -> assertThat(r.state()).isEqualTo(RecordState.IN_PROGRESS));

        store.allow(unrecorded);
        await().atMost(Duration.ofSeconds(30)).until(() -> TestKafka.committed(group, topic) == afterAt + 1);
        assertThat(store.find(DedupKey.of(group, unrecorded)))
                .hasValueSatisfying(r -> assertThat(r.state()).isEqualTo(RecordState.COMPLETED));
        assertThat(calls.count(before)).isEqualTo(1);
        assertThat(calls.attempts(before))
                .as("deliveries of the record before it")
                .isEqualTo(1);
        assertThat(calls.count(unrecorded)).isEqualTo(1);
        assertThat(calls.count(after)).isEqualTo(1);
    }

    @BrokerOnlyApplication
    @Import({EventCounts.class, Listener.class, TestKafka.TestTopic.class})
    static class App {
        @Bean
        RefusedCompletions store() {
            return new RefusedCompletions();
        }

        /** Sees every delivery, redeliveries included. */
        @Bean
        BatchInterceptor<Object, Object> applicationInterceptor(EventCounts calls) {
            return (records, consumer) -> {
                records.forEach(r -> calls.attempt(TestKafka.eventId(r)));
                return records;
            };
        }
    }

    static class Listener {
        @Autowired
        EventCounts calls;

        /** The event ids of the listener's first call. */
        volatile List<String> firstCall;

        @KafkaListener(
                id = "unrecorded-batches",
                groupId = "${test.group}",
                topics = "${test.topic}",
                autoStartup = "false")
        void onBatch(List<ConsumerRecord<String, String>> records) {
            if (firstCall == null) {
                firstCall = records.stream().map(TestKafka::eventId).toList();
            }
            for (ConsumerRecord<String, String> record : records) {
                calls.ran(TestKafka.eventId(record));
            }
        }
    }
}
