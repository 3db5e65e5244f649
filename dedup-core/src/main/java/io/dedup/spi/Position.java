package io.dedup.spi;

/**
 * A consumed position: in Kafka terms a topic, a partition and the next offset to read. A transactional store
 * commits it with the claims and the handler's writes, so that a restart resumes exactly where the last commit left
 * off. Immutable.
 *
 * @param stream the topic or stream name, non-empty
 * @param partition the partition, zero or more
 * @param next the next position to read, zero or more
 */
public record Position(String stream, int partition, long next) {
    /** @throws IllegalArgumentException if {@code stream} is empty or a number is negative */
    public Position {
        Checks.nonEmpty(stream, "stream");
        Checks.notNegative(partition, "partition");
        if (next < 0) {
            throw new IllegalArgumentException("next must not be negative, got " + next);
        }
    }
}
