package io.dedup.kafka.internal;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runner's offset commits to Kafka, as the mode's {@link BatchMode.Commits} asks.
 *
 * <p>Why asynchronous commits are safe in leased mode: an offset is only ever committed after the store recorded the
 * outcome of every record below it, so a commit that is lost only makes a later owner fetch records the store
 * answers as duplicates. What matters is that no commit is lost <em>for good</em> at a hand-over: before partitions
 * are given up and on close, every asynchronous commit not yet confirmed is committed again synchronously. Offsets
 * of lost partitions (another member owns them already) are never committed: they could move the new owner's
 * position backwards or forwards under it.
 *
 * <p>Not thread-safe: the poll thread's (asynchronous commit callbacks also run on it, inside {@code poll}).
 */
final class OffsetCommits {
    private static final Logger LOG = LoggerFactory.getLogger(OffsetCommits.class);

    private final Consumer<byte[], byte[]> consumer;
    private final BatchMode.Commits commits;
    /** Partitions lost in the rebalance under way: nothing is committed for them. */
    private final Set<TopicPartition> lost;
    /** Offsets committed asynchronously and not yet confirmed: committed synchronously on revoke and close. */
    private final Map<TopicPartition, OffsetAndMetadata> unconfirmed = new HashMap<>();
    /**
     * Asynchronous commits that failed and were not superseded by a later one: sent again while the runner is idle
     * ({@link #retryFailed}), since then no next batch's commit covers them.
     */
    private final Map<TopicPartition, OffsetAndMetadata> failed = new HashMap<>();

    /**
     * @param commits who commits, as the mode says
     * @param lost the partitions lost in the rebalance under way, live (the poll loop's set)
     */
    OffsetCommits(Consumer<byte[], byte[]> consumer, BatchMode.Commits commits, Set<TopicPartition> lost) {
        this.consumer = consumer;
        this.commits = commits;
        this.lost = lost;
    }

    /**
     * Commits what the mode leaves to the runner. Leased mode: asynchronously while running ({@code sync} false);
     * synchronously ({@code sync}) before partitions go and on close, together with every asynchronous commit not
     * yet confirmed. Never throws for a failed commit: the next batch's commit covers it, and the store answers the
     * redelivered records.
     *
     * @throws WakeupException if {@code close()} woke the consumer twice during one synchronous commit
     */
    void commit(Map<TopicPartition, OffsetAndMetadata> offsets, Set<TopicPartition> assignment, boolean sync) {
        if (commits == BatchMode.Commits.MODE) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> owned = new LinkedHashMap<>();
        if (sync && commits == BatchMode.Commits.RUNNER) {
            owned.putAll(unconfirmed);
        }
        owned.putAll(offsets);
        owned.keySet().removeIf(partition -> !assignment.contains(partition) || lost.contains(partition));
        if (owned.isEmpty()) {
            return;
        }
        if (commits == BatchMode.Commits.STORE_THEN_RUNNER_ASYNC) {
            consumer.commitAsync(owned, null); // the store holds the real positions; this only feeds lag metrics
            return;
        }
        failed.keySet().removeAll(owned.keySet()); // superseded by what is sent now
        if (!sync) {
            unconfirmed.putAll(owned);
            consumer.commitAsync(owned, this::confirmed);
            return;
        }
        for (int attempt = 1; ; attempt++) {
            try {
                consumer.commitSync(owned);
                owned.forEach(unconfirmed::remove);
                return;
            } catch (WakeupException e) {
                if (attempt >= 2) {
                    throw e;
                }
                // close() woke us: commit anyway, once more
            } catch (CommitFailedException | RebalanceInProgressException e) {
                // The store already recorded these keys as completed: the next owner's redelivery of these
                // records is answered as duplicates, so nothing runs twice.
                LOG.warn(
                        "could not commit offsets of {} partitions after a rebalance; their records will be"
                                + " redelivered and answered as duplicates: {}",
                        owned.size(),
                        e.toString());
                return;
            } catch (KafkaException e) {
                LOG.warn("could not commit offsets; they are committed with the next batch: {}", e.toString());
                return;
            }
        }
    }

    /** An asynchronous commit's answer, on the poll thread: forget what it confirmed. */
    private void confirmed(Map<TopicPartition, OffsetAndMetadata> offsets, Exception failure) {
        if (failure == null) {
            // remove(partition, offset): only if no later offset of the partition was sent meanwhile, whose own
            // answer is still to come
            offsets.forEach(unconfirmed::remove);
        } else {
            LOG.debug("an asynchronous offset commit failed; it is sent again: {}", failure.toString());
            offsets.forEach((partition, offset) -> {
                if (offset.equals(unconfirmed.get(partition))) {
                    failed.put(partition, offset); // still the latest sent for its partition
                }
            });
        }
    }

    /**
     * Sends again, asynchronously, the commits that failed and were not superseded since, for partitions still owned.
     * Called by an idle runner: with records flowing, the next batch's commit covers a failed one, but a runner that
     * has nothing more to consume would otherwise leave its last offsets uncommitted (and its lag showing) until the
     * next rebalance or close.
     */
    void retryFailed(Set<TopicPartition> assignment) {
        if (failed.isEmpty()) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> again = new LinkedHashMap<>(failed);
        failed.clear();
        again.keySet().removeIf(partition -> !assignment.contains(partition) || lost.contains(partition));
        if (!again.isEmpty()) {
            consumer.commitAsync(again, this::confirmed);
        }
    }

    /** Commits synchronously what was committed asynchronously and not confirmed yet. */
    void flush() {
        if (commits == BatchMode.Commits.RUNNER && !unconfirmed.isEmpty()) {
            commit(Map.of(), consumer.assignment(), true);
        }
    }

    /** Forgets unconfirmed commits of partitions another member owns now. */
    void forget(Collection<TopicPartition> partitions) {
        unconfirmed.keySet().removeAll(partitions);
        failed.keySet().removeAll(partitions);
    }
}
