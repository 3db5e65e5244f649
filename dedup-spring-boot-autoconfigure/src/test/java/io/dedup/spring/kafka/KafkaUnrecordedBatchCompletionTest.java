package io.dedup.spring.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.dedup.DedupKey;
import io.dedup.spi.RecordState;
import io.dedup.spring.fixture.BrokerOnlyApplication;
import io.dedup.spring.fixture.EventCounts;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.kafka.annotation.KafkaListener;

/**
 * A batch listener whose listener ran for a record but whose completion the store did not take (core keeps it and
 * writes it later): the poll's records before it are committed, it and the records after it are not until its
 * completion is recorded, and then it is a duplicate (DESIGN §2, G5: the offset commit comes after the store recorded
 * the outcome). Committing it earlier would let a crash before the late write free the key, and a later copy of the
 * message would run the listener again.
 */
@SpringBootTest(
        classes = KafkaUnrecordedBatchCompletionTest.App.class,
        properties = {"spring.kafka.listener.type=batch", "dedup.kafka.listeners.unrecorded-batches.key=header:event-id"
        })
class KafkaUnrecordedBatchCompletionTest extends KafkaCommitOrderTest {
    @Autowired
    Listener listener;

    @Test
    void a_record_whose_completion_is_not_recorded_is_not_committed_until_it_is_and_then_is_a_duplicate() {
        Sent sent = sendWithUnrecordedBetween(topic);
        startWithAllSent("unrecorded-batches");

        awaitRedeliveredOrCommittedPast(topic, sent);
        assertThat(listener.firstCall)
                .as("the listener's first call")
                .containsExactly(sent.before(), sent.unrecorded(), sent.after());
        assertThat(store.refusals()).isPositive();
        // The record before it is committed, it is not, not even for a moment: it came back instead.
        assertThatHighestCommitted(topic, sent).isEqualTo(sent.unrecordedAt());
        assertThat(TestKafka.committed(group, topic))
                .as(
                        "committed offset while the completion of %s (offset %d) is not recorded",
                        sent.unrecorded(), sent.unrecordedAt())
                .isEqualTo(sent.unrecordedAt());
        assertRanOnceAndNotRecorded(group, sent);

        allowAndAwaitEachRanOnce(topic, group, sent);
        assertThat(store.find(DedupKey.of(group, sent.unrecorded())))
                .hasValueSatisfying(r -> assertThat(r.state()).isEqualTo(RecordState.COMPLETED));
        assertThat(calls.attempts(sent.before()))
                .as("deliveries of the record before it")
                .isEqualTo(1);
    }

    @BrokerOnlyApplication
    @Import({EventCounts.class, Listener.class, TestKafka.TestTopic.class, TestKafka.BatchAttempts.class, Store.class})
    static class App {}

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
                firstCall = TestKafka.eventIds(records);
            }
            TestKafka.ranAll(calls, records);
        }
    }
}
