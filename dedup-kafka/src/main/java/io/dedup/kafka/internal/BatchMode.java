package io.dedup.kafka.internal;

import io.dedup.kafka.PollOutcome;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * How the runner processes one poll, and where the consumed offsets are kept: one implementation per mode (leased,
 * Kafka transaction, store transaction).
 *
 * <p>Not thread-safe: {@link #process} runs on the runner's handler thread, one batch at a time; {@link
 * #startPositions} on the poll thread, never while a batch runs.
 */
public interface BatchMode extends AutoCloseable {
    /** Who commits the offsets of done records. */
    enum Commits {
        /**
         * The runner commits them to Kafka (leased mode): asynchronously while it runs, synchronously before
         * partitions are given up and on close. The store holds every outcome below them, so a commit that is lost
         * only redelivers records the store answers as duplicates.
         */
        RUNNER,
        /** The mode committed them already, in a Kafka transaction. */
        MODE,
        /** The mode keeps them in the store; the runner commits them to Kafka too, asynchronously, for lag. */
        STORE_THEN_RUNNER_ASYNC
    }

    /**
     * Processes a poll's raw records on the handler thread.
     *
     * @param startable whether a partition's records may still be started
     * @param group the consumer's group metadata at poll time (for transactional offset commits)
     */
    PollOutcome process(
            List<ConsumerRecord<byte[], byte[]>> records,
            Predicate<TopicPartition> startable,
            ConsumerGroupMetadata group);

    /** A poll's records claimed ahead of their run by a mode that {@link #claimsAhead()}. */
    interface Claimed {}

    /**
     * Whether the runner may claim the next poll while the current one runs ({@link #claim}, then {@link #run} or
     * {@link #giveBack}); false for the transactional modes, whose claims belong to a transaction per poll.
     */
    default boolean claimsAhead() {
        return false;
    }

    /**
     * Claims a poll's records, behind {@code behind} (the poll claimed before, possibly still running; null for
     * none). Runs on the runner's claim thread.
     *
     * @throws UnsupportedOperationException unless {@link #claimsAhead()}
     */
    default Claimed claim(List<ConsumerRecord<byte[], byte[]>> records, Claimed behind) {
        throw new UnsupportedOperationException("this mode does not claim ahead");
    }

    /**
     * Runs and settles records claimed by {@link #claim}, on the handler thread.
     *
     * @throws UnsupportedOperationException unless {@link #claimsAhead()}
     */
    default PollOutcome run(Claimed claimed, Predicate<TopicPartition> startable) {
        throw new UnsupportedOperationException("this mode does not claim ahead");
    }

    /** Gives back, unrun, what {@link #claim} claimed. */
    default void giveBack(Claimed claimed) {}

    /** Who commits the offsets of done records: the runner, or the mode inside its transaction. */
    Commits commits();

    /** Where to start newly assigned partitions; empty for Kafka's committed offsets. Runs on the poll thread. */
    default Map<TopicPartition, Long> startPositions(Collection<TopicPartition> partitions) {
        return Map.of();
    }

    /** Whether a failure of {@link #process} means this instance must stop (a fenced producer, say). */
    default boolean fatal(Throwable failure) {
        return false;
    }

    @Override
    default void close() {}
}
