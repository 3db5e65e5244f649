package io.dedup.kafka.internal.share;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The records a share runner has acquired and not finally acknowledged, by {@code topic-partition@offset}: the latest
 * delivery of each, which of them wait for a batch, and which lost their acquisition lock while their batch ran.
 *
 * <p>Why "lost" is kept apart: a record whose lock expired while its handler runs is no longer this consumer's to
 * acknowledge; the broker hands it to another consumer. Its handler still finishes and the store records what became
 * of the key, but the verdict is dropped, and the store answers the next delivery.
 *
 * <p>Not thread-safe: the share runner's loop thread's.
 */
final class HeldRecords {
    private static final Logger LOG = LoggerFactory.getLogger(HeldRecords.class);

    private final String namespace;
    /** Records acquired and not finally acknowledged, by topic-partition@offset: the latest delivery of each. */
    private final Map<String, ConsumerRecord<byte[], byte[]>> held = new LinkedHashMap<>();
    /** Held records not yet in a batch, in the order polled. */
    private final List<String> waiting = new ArrayList<>();
    /** Held records whose lock was lost while their batch ran: their verdicts are not acknowledged. */
    private final Set<String> lost = new HashSet<>();

    HeldRecords(String namespace) {
        this.namespace = namespace;
    }

    /** Takes a poll's records in: new ones wait for a batch; a known one replaces its earlier delivery. */
    void received(ConsumerRecords<byte[], byte[]> polled) {
        for (ConsumerRecord<byte[], byte[]> record : polled) {
            String id = id(record);
            boolean known = held.put(id, record) != null;
            if (!known) {
                waiting.add(id);
            } else if (lost.remove(id)) {
                // a new delivery of a record whose lock we lost while its batch ran: it takes over that verdict
                LOG.debug("share runner {}: {} delivered again while its handler runs", namespace, id);
            }
        }
    }

    /** Whether nothing is held: then the lease and lock renewal have nothing to do. */
    boolean isEmpty() {
        return held.isEmpty();
    }

    /** Whether held records wait for a batch. */
    boolean hasWaiting() {
        return !waiting.isEmpty();
    }

    /** The waiting records' ids, in the order polled; none wait afterwards. */
    List<String> takeWaiting() {
        List<String> ids = List.copyOf(waiting);
        waiting.clear();
        return ids;
    }

    /** Puts a held record back among those waiting for a batch. */
    void waitAgain(String id) {
        waiting.add(id);
    }

    /** Stops waiting for anything: on close, every held record is released. */
    void clearWaiting() {
        waiting.clear();
    }

    /** The latest delivery of a held record, or null. */
    ConsumerRecord<byte[], byte[]> get(String id) {
        return held.get(id);
    }

    /** Forgets a record, once it was acknowledged (or its acknowledgement cannot be given any more). */
    ConsumerRecord<byte[], byte[]> remove(String id) {
        return held.remove(id);
    }

    /** Every held record, running or waiting, in the order received. */
    Collection<ConsumerRecord<byte[], byte[]>> records() {
        return held.values();
    }

    /** The ids of every held record, in the order received. */
    List<String> ids() {
        return List.copyOf(held.keySet());
    }

    /** Whether the record's lock was lost while its batch ran. */
    boolean isLost(String id) {
        return lost.contains(id);
    }

    /** Whether the record's lock was lost while its batch ran; it is forgotten then, for its verdict is void. */
    boolean forgetIfLost(String id) {
        if (lost.remove(id)) {
            held.remove(id);
            return true;
        }
        return false;
    }

    /**
     * The record's lock is gone. One not started is simply forgotten (the broker hands it out again); one whose
     * handler runs is marked, so that its handler finishes and its outcome goes to the store, but its verdict is not
     * acknowledged. Returns the record, or null if it was not held.
     */
    ConsumerRecord<byte[], byte[]> markLost(String id) {
        ConsumerRecord<byte[], byte[]> record = held.get(id);
        if (record == null) {
            return null;
        }
        if (waiting.remove(id)) {
            held.remove(id); // not started: the broker hands it out again
        } else {
            lost.add(id); // running: its handler finishes, its outcome goes to the store, its ack is dropped
        }
        return record;
    }

    /** How the share runner names a record in logs: {@code topic-partition@offset}, which a share group keeps. */
    static String id(ConsumerRecord<?, ?> record) {
        return record.topic() + "-" + record.partition() + "@" + record.offset();
    }
}
