package io.dedup.spi;

import java.util.Objects;

/**
 * A consumed position: in Kafka terms a topic, a partition and the next offset to read.
 *
 * @param stream the topic or stream name, non-empty
 * @param partition the partition, zero or more
 * @param next the next position to read, zero or more
 */
public record Position(String stream, int partition, long next) {
    public Position {
        Objects.requireNonNull(stream, "stream");
        if (stream.isEmpty()) {
            throw new IllegalArgumentException("stream must not be empty");
        }
        if (partition < 0) {
            throw new IllegalArgumentException("partition must not be negative, got " + partition);
        }
        if (next < 0) {
            throw new IllegalArgumentException("next must not be negative, got " + next);
        }
    }
}
