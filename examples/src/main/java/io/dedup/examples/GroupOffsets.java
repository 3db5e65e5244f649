package io.dedup.examples;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;

/**
 * Watches the Kafka demo's consumer group through the admin client: where the topic ends, when the group has
 * committed up to there, when it has no members left. The scenario moves from phase to phase on these facts, never on
 * a fixed sleep, so it runs as fast as the broker allows and fails with a clear message when a phase stalls.
 *
 * <p>Thread-safe as the admin client is; the scenario uses it from its own thread.
 *
 * @param admin the demo's admin client; owned and closed by the scenario's {@link ExampleKafka}
 * @param group the consumer group watched, which is also the dedup namespace
 * @param topic the payments topic
 * @param partitions how many partitions the topic has, all watched
 * @param timeout how long one wait may take before the phase counts as stalled
 */
record GroupOffsets(Admin admin, String group, String topic, int partitions, Duration timeout) {
    /** Where every partition ends after producing: the group is done when its commits reach these. */
    Map<TopicPartition, Long> endOffsets() throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        // asked once, after producing: nothing is written to the topic after that, a replay only moves offsets
        return admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
    }

    /** Waits until the group's committed offsets reach the ends of every partition. */
    void awaitCommitted(Map<TopicPartition, Long> ends) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata()
                    .get(30, TimeUnit.SECONDS);
            // a partition without a committed offset is not done; one committed at or past its end is
            boolean done = ends.entrySet().stream().allMatch(end -> {
                OffsetAndMetadata offset = committed.get(end.getKey());
                return offset != null && offset.offset() >= end.getValue();
            });
            if (done) {
                return;
            }
            Thread.sleep(100);
        }
        throw new TimeoutException(
                "the consumer group " + group + " did not commit every record within " + timeout.toSeconds() + " s");
    }

    /** Offsets can be reset only while no member is in the group; closed consumers leave it at once. */
    void awaitEmptyGroup() throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group))
                        .describedGroups()
                        .get(group)
                        .get(30, TimeUnit.SECONDS);
                if (description.members().isEmpty()
                        && (description.groupState() == GroupState.EMPTY
                                || description.groupState() == GroupState.DEAD)) {
                    return;
                }
            } catch (ExecutionException notYet) {
                // the coordinator may be moving; ask again
            }
            Thread.sleep(100);
        }
        throw new TimeoutException("the consumer group " + group + " did not become empty");
    }
}
