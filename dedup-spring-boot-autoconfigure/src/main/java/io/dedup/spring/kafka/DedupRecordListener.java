package io.dedup.spring.kafka;

import io.dedup.ClaimedBatch;
import io.dedup.DedupResult;
import io.dedup.Disposition;
import io.dedup.OutcomeCodecs;
import io.micrometer.observation.Observation;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.listener.AcknowledgingConsumerAwareMessageListener;
import org.springframework.kafka.listener.MessageListener;
import org.springframework.kafka.listener.adapter.AbstractDelegatingMessageListenerAdapter;
import org.springframework.kafka.support.Acknowledgment;

/**
 * Wraps a container's record listener: claims the record's key, runs the application's listener only when the key
 * was acquired, and tells the container what to do.
 *
 * <ul>
 *   <li>processed or duplicate: acknowledged (a duplicate without calling the listener). A listener that
 *       acknowledges itself is given an acknowledgment that holds its ack until the key is recorded, and drops it when
 *       the key is not (the record then goes back as below);
 *   <li>held elsewhere, lease lost, or the store down (fail-closed): {@code nack} with the configured back-off, so the
 *       container pauses, seeks back and delivers it again later;
 *   <li>the listener failed: its key was released and its exception goes to the container's error handler (the
 *       application's {@code DefaultErrorHandler} and dead-letter recoverer), as without dedup;
 *   <li>no key, or a key reused for other content: a typed exception to the error handler.
 * </ul>
 *
 * <p>Thread-safe as the container uses it: one call at a time per consumer thread.
 */
public final class DedupRecordListener<K, V> extends AbstractDelegatingMessageListenerAdapter<MessageListener<K, V>>
        implements AcknowledgingConsumerAwareMessageListener<K, V> {
    private final ListenerGuard guard;

    DedupRecordListener(MessageListener<K, V> delegate, ListenerGuard guard) {
        super(delegate);
        this.guard = Objects.requireNonNull(guard, "guard");
    }

    /**
     * Claims the record's key, runs the listener if it may, then tells the container.
     *
     * @throws RuntimeException the listener's own exception, unchanged, for the container's error handler
     * @throws io.dedup.DedupException for a record without a usable key (the reason dedup gave), or an {@link
     *     io.dedup.IdempotencyConflictException} for a key reused for other content
     * @throws IllegalStateException if the record must be handed back but the container gives no acknowledgment
     */
    @Override
    public void onMessage(ConsumerRecord<K, V> record, Acknowledgment acknowledgment, Consumer<?, ?> consumer) {
        Observation observation = guard.observe(record);
        // The listener's own acks wait until its key is recorded, which happens after it returned: acknowledged at
        // once (MANUAL_IMMEDIATE) or by the commit of a later nack (MANUAL), they would commit an offset whose outcome
        // the store may never get.
        HeldAcknowledgment held = acknowledgment == null ? null : HeldAcknowledgment.forRecord(acknowledgment);
        DedupResult<?> result;
        try {
            result = guard.scope()
                    .claim(guard.dedup(), List.<ConsumerRecord<?, ?>>of(record), batch -> {
                        ClaimedBatch.Entry<ConsumerRecord<?, ?>> entry =
                                batch.entries().get(0);
                        // The listener runs inside the claim, so the key's lease is renewed while it does; the
                        // codec stores no outcome because a Kafka listener returns nothing a duplicate could replay.
                        if (entry.mayRun()) {
                            batch.run(
                                    entry,
                                    message -> {
                                        invoke(record, held, consumer);
                                        return null;
                                    },
                                    OutcomeCodecs.none(),
                                    false);
                        }
                        return null;
                    })
                    .results()
                    .get(0);
        } catch (RuntimeException | Error e) {
            if (held != null) {
                held.settle(0);
            }
            if (observation != null) {
                observation.error(e).stop();
            }
            throw e;
        }
        ListenerGuard.stop(observation, result);
        boolean done = result.disposition() == Disposition.ACK;
        HeldAcknowledgment.ListenerNack listenerNack =
                held == null ? null : held.settle(done ? HeldAcknowledgment.ALL : 0);
        switch (result.disposition()) {
            case ACK -> {
                // An application that acks itself has acked a record it processed (its held ack went to the container
                // just now); a duplicate it never saw is acked here on its behalf, or its offset would never be
                // committed.
                if (acknowledgment != null && !(guard.applicationAcks() && ListenerGuard.listenerRan(result))) {
                    acknowledgment.acknowledge();
                }
                if (listenerNack != null) {
                    acknowledgment.nack(listenerNack.sleep());
                }
            }
            case DEFER, BACK_OFF -> {
                if (acknowledgment == null) {
                    throw new IllegalStateException("listener " + guard.listenerId() + " has no Acknowledgment to "
                            + "defer " + record.topic() + "-" + record.partition() + "@" + record.offset()
                            + "; its container must use a MANUAL ack mode");
                }
                // Seeks back to this record and pauses the partition for the back-off: it comes again, in order.
                acknowledgment.nack(guard.inProgressBackoff());
            }
            case RETRY_OR_DEAD_LETTER, DEAD_LETTER -> throw guard.failure(result, record);
        }
    }

    /** Calls the application's listener through the signature it implements, as the container would have. */
    private void invoke(ConsumerRecord<K, V> record, Acknowledgment ack, Consumer<?, ?> consumer) {
        switch (delegateType) {
            case ACKNOWLEDGING_CONSUMER_AWARE -> delegate.onMessage(record, ack, consumer);
            case ACKNOWLEDGING -> delegate.onMessage(record, ack);
            case CONSUMER_AWARE -> delegate.onMessage(record, consumer);
            case SIMPLE -> delegate.onMessage(record);
        }
    }

    @Override
    public void onMessage(ConsumerRecord<K, V> data) {
        onMessage(data, null, null);
    }

    @Override
    public void onMessage(ConsumerRecord<K, V> data, Acknowledgment acknowledgment) {
        onMessage(data, acknowledgment, null);
    }

    @Override
    public void onMessage(ConsumerRecord<K, V> data, Consumer<?, ?> consumer) {
        onMessage(data, null, consumer);
    }
}
