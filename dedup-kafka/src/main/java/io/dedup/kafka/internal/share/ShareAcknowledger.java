package io.dedup.kafka.internal.share;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ShareConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.errors.InvalidRecordStateException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives the share consumer the runner's acknowledgements and commits them: final ones (ACCEPT, RELEASE, REJECT) once
 * the store recorded what became of each key, and RENEW for every record still held, so that a slow handler keeps
 * its records' acquisition locks.
 *
 * <p>Why a failed acknowledgement is no error: the record's lock was lost (expired, or renewal refused), the broker
 * hands the record to another consumer, and the store answers that delivery, an accepted one as a duplicate.
 *
 * <p>Not thread-safe: the share runner's loop thread's.
 */
final class ShareAcknowledger {
    private static final Logger LOG = LoggerFactory.getLogger(ShareAcknowledger.class);

    private final ShareConsumer<byte[], byte[]> consumer;
    private final ShareLoopState state;
    /** Configured on, and turned off for good once the broker refuses a renewal. */
    private boolean renewable;
    /** Whether the refusal was logged: once per runner, not once per poll. */
    private boolean warnedRenewal;

    ShareAcknowledger(ShareConsumer<byte[], byte[]> consumer, ShareLoopState state, boolean renewable) {
        this.consumer = consumer;
        this.state = state;
        this.renewable = renewable;
    }

    /** Whether locks are renewed: configured so, and not refused by the broker yet. */
    boolean renewable() {
        return renewable;
    }

    /** Acknowledges each record as {@code acks} says, forgets it, and commits the acknowledgements. */
    void acknowledgeAndCommit(Map<String, AcknowledgeType> acks) {
        acks.forEach((id, type) -> {
            ConsumerRecord<byte[], byte[]> record = state.held().remove(id);
            try {
                consumer.acknowledge(record, type);
                state.metrics().acknowledged(record.topic(), type);
            } catch (IllegalStateException | KafkaException e) {
                // the record is no longer in this consumer's acquired set: its lock was lost
                state.metrics().lockLost(record.topic());
                LOG.debug(
                        "share runner {}: cannot acknowledge {}: {}",
                        state.namespace(),
                        HeldRecords.id(record),
                        e.toString());
            }
        });
        // One synchronous commit for the whole batch: the acknowledgements take effect only when committed, and the
        // per-partition results say which did not, so that those records are known to come back.
        Map<TopicIdPartition, Optional<KafkaException>> results = commitSync();
        results.forEach((partition, failure) -> failure.ifPresent(e -> {
            state.metrics().commitFailed(partition.topic());
            LOG.warn(
                    "share runner {}: acknowledgements of {} not committed ({}); the broker delivers those records"
                            + " again and the store answers them",
                    state.namespace(),
                    partition,
                    e.toString());
        }));
    }

    /**
     * Commits the acknowledgements given so far. A wake-up from {@code close()} that arrives during the commit does
     * not cost the acknowledgements: they are committed again, since the loop is stopping anyway.
     */
    private Map<TopicIdPartition, Optional<KafkaException>> commitSync() {
        try {
            return consumer.commitSync();
        } catch (WakeupException e) {
            if (!state.stopping().getAsBoolean()) {
                throw e;
            }
            return consumer.commitSync();
        }
    }

    /**
     * Renews the lock of every record still held (running or waiting). When renewal is off this does nothing: the
     * loop then does not poll while records are held, and their batch runs to its end. A broker that refuses the
     * renewal ({@code share.renew.acknowledge.enable} not set) turns renewal off for good, with one warning.
     */
    void renewHeld() {
        if (state.held().isEmpty()) {
            return;
        }
        if (!renewable) {
            return; // the next turn does not poll while records are held; their batch runs to its end
        }
        // a copy: a waiting record whose lock is gone is forgotten (markLost) while this walks the held records
        for (ConsumerRecord<byte[], byte[]> record : List.copyOf(state.held().records())) {
            try {
                consumer.acknowledge(record, AcknowledgeType.RENEW);
                state.metrics().acknowledged(record.topic(), AcknowledgeType.RENEW);
            } catch (IllegalStateException | KafkaException e) {
                markLost(HeldRecords.id(record));
            }
        }
        Map<TopicIdPartition, Optional<KafkaException>> results = consumer.commitSync();
        results.forEach((partition, failure) -> failure.ifPresent(e -> {
            boolean refused = e instanceof InvalidRecordStateException;
            if (refused && !warnedRenewal) {
                warnedRenewal = true;
                LOG.warn(
                        "share runner {}: the broker refused to renew acquisition locks ({}); does the group set"
                                + " share.renew.acknowledge.enable=true? Lock renewal is now off: records are held only"
                                + " as long as their lock, and a handler slower than it is fenced when the record"
                                + " goes to another consumer",
                        state.namespace(),
                        e.toString());
            }
            if (refused) {
                renewable = false;
            }
            // the renewal of this partition's records did not commit: their locks may run out, so treat them as lost
            for (String id : state.held().ids()) {
                ConsumerRecord<byte[], byte[]> record = state.held().get(id);
                if (record.topic().equals(partition.topic()) && record.partition() == partition.partition()) {
                    markLost(id);
                }
            }
        }));
    }

    /** The record's lock is gone: forget it, or mark it so its verdict is dropped ({@link HeldRecords#markLost}). */
    private void markLost(String id) {
        ConsumerRecord<byte[], byte[]> record = state.held().markLost(id);
        if (record != null) {
            state.metrics().lockLost(record.topic());
        }
    }
}
