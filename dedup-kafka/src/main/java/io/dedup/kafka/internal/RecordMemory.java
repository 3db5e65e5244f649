package io.dedup.kafka.internal;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;

/**
 * What this consumer remembers about records it has seen but not moved past: how often their handler failed or they were deferred, and
 * whether they were dead-lettered (so that a record redelivered after a rewind of its partition is not published
 * again, nor handled again after its dead letter). Forgotten once the committed offset passes them or their
 * partition is revoked, so after a rebalance or restart a record gets a fresh set of attempts.
 *
 * <p>Thread-safe.
 */
final class RecordMemory {
    private static final class Entry {
        int failures;
        int deferrals;
        boolean deadLettered;
    }

    private final Map<TopicPartition, NavigableMap<Long, Entry>> byPartition = new HashMap<>();

    /** Counts one more failure of the record's handler; returns the failures so far. */
    synchronized int failed(TopicPartition partition, long offset) {
        return ++entry(partition, offset).failures;
    }

    /** Counts one more deferral of the record (its key held elsewhere); returns the deferrals so far. */
    synchronized int deferred(TopicPartition partition, long offset) {
        return ++entry(partition, offset).deferrals;
    }

    /** How often the record's handler failed so far; 0 for a record not remembered. */
    synchronized int failures(TopicPartition partition, long offset) {
        Entry entry = find(partition, offset);
        return entry == null ? 0 : entry.failures;
    }

    /** The record's dead letter went out: a redelivery of it is neither published nor handled again. */
    synchronized void deadLettered(TopicPartition partition, long offset) {
        entry(partition, offset).deadLettered = true;
    }

    /** Whether the record's dead letter went out already. */
    synchronized boolean wasDeadLettered(TopicPartition partition, long offset) {
        Entry entry = find(partition, offset);
        return entry != null && entry.deadLettered;
    }

    /** The record is done: nothing more to remember, unless it was dead-lettered. */
    synchronized void done(TopicPartition partition, long offset) {
        NavigableMap<Long, Entry> entries = byPartition.get(partition);
        if (entries != null) {
            Entry entry = entries.get(offset);
            if (entry != null && !entry.deadLettered) {
                entries.remove(offset);
            }
        }
    }

    /** Forgets the partition's records below {@code offset}: the consumer will not see them again. */
    synchronized void committed(TopicPartition partition, long offset) {
        NavigableMap<Long, Entry> entries = byPartition.get(partition);
        if (entries != null) {
            entries.headMap(offset, false).clear();
            if (entries.isEmpty()) {
                byPartition.remove(partition);
            }
        }
    }

    /** Forgets everything about partitions this consumer no longer owns; their next owner starts afresh. */
    public synchronized void forget(Collection<TopicPartition> partitions) {
        partitions.forEach(byPartition::remove);
    }

    /** The record's entry, created if new. Callers hold the monitor. */
    private Entry entry(TopicPartition partition, long offset) {
        return byPartition.computeIfAbsent(partition, p -> new TreeMap<>()).computeIfAbsent(offset, o -> new Entry());
    }

    /** The record's entry, or null. Callers hold the monitor. */
    private Entry find(TopicPartition partition, long offset) {
        NavigableMap<Long, Entry> entries = byPartition.get(partition);
        return entries == null ? null : entries.get(offset);
    }
}
