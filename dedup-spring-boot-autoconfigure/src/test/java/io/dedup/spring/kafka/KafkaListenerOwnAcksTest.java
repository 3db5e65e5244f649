package io.dedup.spring.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dedup.spring.Deduplicated;
import io.dedup.spring.fixture.BrokerOnlyApplication;
import io.dedup.spring.fixture.EventCounts;
import io.dedup.spring.fixture.KeyHeldElsewhere;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.support.Acknowledgment;

/**
 * Listeners that acknowledge their records themselves (the application's container is in a MANUAL ack mode; a
 * subclass picks which): their ack is held until the key is recorded. Here the store does not take a record's
 * completion after the listener ran and acknowledged it, so its offset must not be committed (DESIGN §2, G5) until
 * the completion is recorded; the container's own ack would have committed it at once (MANUAL_IMMEDIATE) or with the
 * commit of the hand-back's nack (MANUAL). A record listener and a batch listener, each on its own topic.
 */
abstract class KafkaListenerOwnAcksTest extends KafkaCommitOrderTest {
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
            startWithAllSent("own-acks-held");
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
        Sent sent = sendWithUnrecordedBetween(topic);
        awaitRedeliveredOrCommittedPast(topic, sent);
        // The listener acknowledged it, but its key is not recorded: it came back, its offset is not committed.
        assertThatHighestCommitted(topic, sent).isLessThanOrEqualTo(sent.unrecordedAt());
        assertRanOnceAndNotRecorded(group, sent);
        allowAndAwaitEachRanOnce(topic, group, sent);
    }

    @BrokerOnlyApplication
    @Import({
        EventCounts.class,
        Listeners.class,
        TestKafka.TestTopic.class,
        TestKafka.RecordAttempts.class,
        TestKafka.BatchAttempts.class,
        Store.class
    })
    static class App {
        /** The topics of the listeners other than the record listener's, which is the application's. */
        @Bean
        KafkaAdmin.NewTopics listenerTopics(@Value("${test.topic}") String topic) {
            return new KafkaAdmin.NewTopics(
                    TestKafka.topic(topic + "-batch"),
                    TestKafka.topic(topic + "-held"),
                    TestKafka.topic(topic + "-partial"));
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
            TestKafka.ranAll(calls, records);
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
                firstPartialCall = TestKafka.eventIds(records);
            }
            TestKafka.ranAll(calls, records);
            ack.acknowledge(records.size() - 1);
        }
    }
}
