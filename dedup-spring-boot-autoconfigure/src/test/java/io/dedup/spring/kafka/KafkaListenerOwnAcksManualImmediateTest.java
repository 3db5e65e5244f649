package io.dedup.spring.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dedup.ClaimedBatch;
import io.dedup.DedupConsumer;
import io.dedup.OutcomeCodecs;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

/** {@link KafkaListenerOwnAcksTest} in MANUAL_IMMEDIATE mode: the listener's ack commits at once. */
@SpringBootTest(
        classes = KafkaListenerOwnAcksTest.App.class,
        properties = "spring.kafka.listener.ack-mode=manual_immediate")
class KafkaListenerOwnAcksManualImmediateTest extends KafkaListenerOwnAcksTest {
    @Autowired
    Listeners listeners;

    @Test
    void a_batch_listeners_partial_ack_counts_the_records_it_was_given_not_the_polls() {
        String partialTopic = topic + "-partial";
        String partialGroup = group + "-partial";
        String done = TestKafka.unique("done");
        String a = TestKafka.unique("a");
        String b = TestKafka.unique("b");
        recordProcessed(partialGroup, done);
        TestKafka.sendForOffset(template, partialTopic, done);
        TestKafka.sendForOffset(template, partialTopic, a);
        long bAt = TestKafka.sendForOffset(template, partialTopic, b);
        startWithAllSent("own-acks-partial");

        // Given [a, b] (the duplicate left out), it acknowledges index 1: b, the poll's index 2.
        await().atMost(Duration.ofSeconds(30)).until(() -> TestKafka.committed(partialGroup, partialTopic) == bAt + 1);
        assertThat(listeners.firstPartialCall).containsExactly(a, b);
        assertThat(calls.attempts(b)).as("deliveries of %s", b).isEqualTo(1);
        assertThat(calls.count(done)).isZero();
        assertThat(calls.count(a)).isEqualTo(1);
        assertThat(calls.count(b)).isEqualTo(1);
    }

    /** Records {@code id} as processed in {@code namespace}, as an earlier delivery of it would have. */
    private void recordProcessed(String namespace, String id) {
        try (DedupConsumer<String> earlier = DedupConsumer.<String>builder(Optional::of)
                        .store(store)
                        .namespace(namespace)
                        .build();
                ClaimedBatch<String> batch = earlier.claimAll(List.of(id))) {
            batch.run(batch.entries().get(0), message -> null, OutcomeCodecs.none());
        }
    }
}
