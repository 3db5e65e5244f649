package io.dedup.kafka.internal;

import io.dedup.kafka.DeadLetter;
import io.dedup.kafka.RecordStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The dead letters of a leased batch: held back in partition order, published, remembered. Thread-safe. */
final class LeasedDeadLetters {
    private static final Logger LOG = LoggerFactory.getLogger(LeasedDeadLetters.class);

    private final KafkaDedupContext context;
    private final KafkaDedupSettings settings;
    private final RecordMemory memory;

    /** Dead letters through the context's publisher, counted in its metrics and remembered in its record memory. */
    LeasedDeadLetters(KafkaDedupContext context) {
        this.context = context;
        this.settings = context.settings();
        this.memory = context.memory();
    }

    /**
     * Dead letters go out in partition order: one behind a record that waits (to be retried, or for its key held
     * elsewhere unless {@code passDeferred}) waits too, so that it is not published before that record is resolved.
     */
    void holdBackBehindWaiting(LeasedSlot[] slots) {
        Set<TopicPartition> waiting = new HashSet<>();
        for (LeasedSlot slot : slots) {
            if (waiting.contains(slot.partition)) {
                if (slot.awaitsDeadLetter()) {
                    slot.status = RecordStatus.NOT_STARTED;
                }
            } else if (slot.status != null
                    && !slot.status.isDone()
                    && (slot.status != RecordStatus.DEFERRED || !settings.passDeferred())) {
                waiting.add(slot.partition);
            }
        }
    }

    /**
     * Publishes the dead letters the slots await, in one call, and records which went out. Without a publisher, or
     * when publishing fails, the records stay DEAD_LETTER_PENDING: the runner never commits past them, so no record
     * is skipped without its dead letter. A failed publish is retried after the retry back-off; some letters may
     * have gone out by then, so dead letters are at least once.
     */
    void publish(LeasedSlot[] slots) {
        List<LeasedSlot> pending = new ArrayList<>();
        List<DeadLetter> deadLetters = new ArrayList<>();
        for (LeasedSlot slot : slots) {
            if (slot.awaitsDeadLetter()) {
                pending.add(slot);
                deadLetters.add(new DeadLetter(
                        slot.record,
                        settings.deadLetterTopic(slot.record.topic()),
                        slot.deadLetterReason,
                        Optional.ofNullable(slot.error),
                        slot.attempts));
            }
        }
        if (pending.isEmpty()) {
            return;
        }
        if (settings.deadLetters() == null) {
            LOG.warn(
                    "{} records need a dead letter but no dead-letter publisher is configured; the first is {} ({})",
                    pending.size(),
                    deadLetters.get(0).source(),
                    deadLetters.get(0).reason());
            pending.forEach(slot -> slot.status = RecordStatus.DEAD_LETTER_PENDING);
            return;
        }
        try {
            settings.deadLetters().publish(deadLetters);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            LOG.warn("could not publish {} dead letters, retrying after a back-off: {}", pending.size(), e.toString());
            for (LeasedSlot slot : pending) {
                slot.status = RecordStatus.DEAD_LETTER_PENDING;
                slot.delay = settings.retryBackoff().isZero() ? Duration.ofMillis(100) : settings.retryBackoff();
                slot.error = e;
            }
            return;
        }
        for (LeasedSlot slot : pending) {
            slot.status = RecordStatus.DEAD_LETTERED;
            memory.deadLettered(slot.partition, slot.record.offset());
            context.metrics().deadLettered(slot.partition.topic(), slot.deadLetterReason);
            // WARN, as on every adapter: a message was set aside unprocessed and someone has to look at it
            LOG.warn(
                    "dead-lettered {} to {}: {}",
                    TopicConsumers.describe(slot.record),
                    settings.deadLetterTopic(slot.record.topic()),
                    slot.deadLetterReason);
        }
    }
}
