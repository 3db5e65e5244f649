package io.dedup.kafka.internal;

import io.dedup.kafka.PollOutcome;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the classic runner's partitions stand between batches: which are being revoked or were lost in the
 * rebalance under way, which wait (paused) for a retry or a store back-off, and where each must be read again after
 * a batch asked for a rewind.
 *
 * <p>Why the rewind is a seek and a pause rather than a sleep: the poll thread must keep polling to stay in the
 * group, so a record to be retried later is sought back to and its partition paused until its back-off is over;
 * the other partitions go on meanwhile.
 *
 * <p>Not thread-safe, except {@link #startable}, which the handler thread asks: the poll thread's.
 */
final class PartitionStates {
    private static final Logger LOG = LoggerFactory.getLogger(PartitionStates.class);

    private final Consumer<byte[], byte[]> consumer;
    private final PauseSchedule pauses;
    private final KafkaMetrics metrics;
    /** Partitions being revoked: their records are not started (their claims are given back). */
    private final Set<TopicPartition> revoking = ConcurrentHashMap.newKeySet();
    /** Partitions lost in the rebalance under way: neither sought nor committed. */
    private final Set<TopicPartition> lost = new HashSet<>();

    PartitionStates(
            Consumer<byte[], byte[]> consumer, Duration storeBackoff, Duration maxStoreBackoff, KafkaMetrics metrics) {
        this.consumer = consumer;
        this.pauses = new PauseSchedule(storeBackoff, maxStoreBackoff);
        this.metrics = metrics;
    }

    /** Whether records of {@code partition} may still start: not while it is being revoked. Any thread. */
    boolean startable(TopicPartition partition) {
        return !revoking.contains(partition);
    }

    /** The lost partitions, live: {@link OffsetCommits} commits nothing for them. */
    Set<TopicPartition> lost() {
        return lost;
    }

    /** How long the next poll may wait so that no pause outlasts its end by much. */
    Duration nextPollTimeout(Duration limit) {
        return pauses.nextPollTimeout(limit);
    }

    /**
     * Seeks each partition {@code outcome} rewinds back to its first record not done, and pauses it for the delay
     * the outcome gives; then, when the store was unavailable, pauses everything for the next back-off. The seek
     * happens before the next batch starts, so the rewound record is fetched again before anything after it.
     */
    void rewind(PollOutcome outcome, Set<TopicPartition> assignment) {
        outcome.rewind().forEach((partition, offset) -> {
            if (assignment.contains(partition) && !lost.contains(partition)) { // a lost one is not ours to move
                consumer.seek(partition, offset);
                Duration delay = outcome.retryAfter().get(partition);
                if (delay != null) {
                    pauses.pause(partition, delay);
                }
            }
        });
        if (outcome.storeUnavailable()) {
            metrics.storeBackOff();
            backOff("store unavailable");
        } else {
            pauses.recovered();
        }
    }

    /** Pauses every partition for the next back-off of a run of failures, and says so. */
    void backOff(String why) {
        long millis = pauses.backOffAll();
        LOG.warn(
                "{} (#{} in a row): all partitions paused for {} ms, nothing committed past undecided records",
                why,
                pauses.outages(),
                millis);
    }

    /** Pauses what must wait (everything when {@code everything}), resumes the rest. */
    void sync(boolean everything) {
        pauses.apply(consumer, everything);
    }

    /** Partitions are about to be revoked: their not-started records are given back, not run. */
    void revoking(Collection<TopicPartition> partitions) {
        revoking.addAll(partitions);
    }

    /** Whether {@code partition} is being revoked. */
    boolean isRevoking(TopicPartition partition) {
        return revoking.contains(partition);
    }

    /** Marks partitions lost (another member may own them already) or, after the rebalance, forgets that. */
    void lost(Collection<TopicPartition> partitions, boolean isLost) {
        if (isLost) {
            lost.addAll(partitions);
        } else {
            lost.removeAll(partitions);
        }
    }

    /** Partitions newly assigned: they may start records again. */
    void assigned(Collection<TopicPartition> partitions) {
        revoking.removeAll(partitions);
    }

    /** Forgets the pauses and revocation marks of partitions this consumer no longer owns. */
    void forget(Collection<TopicPartition> partitions) {
        pauses.forget(partitions);
        revoking.removeAll(partitions);
    }
}
