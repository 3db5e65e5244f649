package io.dedup.spring.kafka;

import io.dedup.ClaimedBatch;
import io.dedup.DedupResult;
import io.dedup.Disposition;
import io.dedup.OutcomeCodecs;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.listener.BatchAcknowledgingConsumerAwareMessageListener;
import org.springframework.kafka.listener.BatchListenerFailedException;
import org.springframework.kafka.listener.BatchMessageListener;
import org.springframework.kafka.listener.adapter.AbstractDelegatingMessageListenerAdapter;
import org.springframework.kafka.support.Acknowledgment;

/**
 * Wraps a container's batch listener: claims the keys of the whole poll in one round trip and calls the
 * application's listener once, with the records whose key was acquired (duplicates are left out and acknowledged).
 *
 * <p>The records are taken in order up to the first one that cannot be settled now: a key held elsewhere (or the
 * store down) makes that record and everything after it go back to the container with {@code nack(index, backoff)};
 * a record without a usable key goes to the error handler as a {@link BatchListenerFailedException} naming it. A
 * {@code BatchListenerFailedException} from the listener keeps the records before the one it names and releases the
 * rest; any other exception releases every key of the call and goes to the error handler unchanged. In
 * transactional mode one failure rolls back the whole call.
 *
 * <p>Nothing is committed past a record whose outcome the store has not recorded (DESIGN §2, G5): a record whose
 * listener ran but whose completion could not be written (core keeps it and writes it later) goes back with {@code
 * nack} like a held key, with everything after it; its redelivery finds the key held by that completion until it is
 * written, then a duplicate. A listener that acknowledges itself is given an acknowledgment that holds its acks until
 * every record of the poll is settled as done, and drops them otherwise (the wrapper's {@code nack} then commits the
 * records before the one handed back); the indexes it passes to {@code acknowledge(index)} and {@code nack(index,
 * sleep)} count the records it was given and are turned into the poll's.
 *
 * <p>Thread-safe as the container uses it: one call at a time per consumer thread.
 */
public final class DedupBatchListener<K, V> extends AbstractDelegatingMessageListenerAdapter<BatchMessageListener<K, V>>
        implements BatchAcknowledgingConsumerAwareMessageListener<K, V> {
    private final ListenerGuard guard;

    DedupBatchListener(BatchMessageListener<K, V> delegate, ListenerGuard guard) {
        super(delegate);
        this.guard = Objects.requireNonNull(guard, "guard");
    }

    /**
     * What the call did: the index of the first record that goes back to the container ({@code -1}: none), the
     * failure to hand the error handler and the poll index of the record it concerns ({@code -1}: none), whether the
     * listener was called at all (if it was and it acknowledges itself, its own ack stands and the wrapper must not
     * send a second one), and the acknowledgment it was given, which holds its acks until the poll is settled.
     */
    private record Call(int stopAt, RuntimeException failure, int failedAt, boolean ran, HeldAcknowledgment held) {}

    /**
     * Claims the poll, calls the listener with what may run, then settles the poll with the container: the records
     * before the first one that is not done (its key not recorded) are acknowledged, that one and everything after it
     * go back to the container or to its error handler.
     *
     * @throws BatchListenerFailedException naming the record the error handler should start from: the listener's
     *     failed record, or a record without a usable key or whose key was reused for other content
     * @throws RuntimeException the listener's own exception, unchanged, when it does not name a record
     * @throws IllegalStateException if a record must be handed back but the container gives no acknowledgment
     */
    @Override
    @SuppressWarnings("unchecked")
    public void onMessage(List<ConsumerRecord<K, V>> records, Acknowledgment acknowledgment, Consumer<?, ?> consumer) {
        if (records.isEmpty()) {
            return;
        }
        List<ConsumerRecord<?, ?>> all = new ArrayList<>(records);
        var settled = guard.scope().claim(guard.dedup(), all, batch -> call(batch, acknowledgment, consumer));
        Call call = settled.value();
        List<DedupResult<?>> results = settled.results();
        // Observed after the claim settled, not around the listener: the listener ran once for the whole batch, but
        // each record has its own outcome.
        for (int i = 0; i < all.size(); i++) {
            ListenerGuard.stop(guard.observe(all.get(i)), results.get(i));
        }
        // Where the poll goes back: the first record that did not run, the listener's failure, or the first record
        // whose key is not recorded although it ran (its completion could not be written: core keeps it and writes it
        // later, and until then an ack would commit an offset whose outcome the store does not have).
        int handBack = HeldAcknowledgment.ALL;
        if (call.stopAt() >= 0) {
            handBack = call.stopAt();
        }
        if (call.failure() != null) {
            handBack = Math.min(handBack, call.failedAt());
        }
        for (int i = 0; i < Math.min(handBack, results.size()); i++) {
            Disposition disposition = results.get(i).disposition();
            if (disposition == Disposition.DEFER || disposition == Disposition.BACK_OFF) {
                handBack = i;
                break;
            }
        }
        HeldAcknowledgment.ListenerNack listenerNack =
                call.held() == null ? null : call.held().settle(handBack);
        if (call.failure() != null && call.failedAt() <= handBack) {
            throw call.failure();
        }
        if (handBack == HeldAcknowledgment.ALL) {
            if (acknowledgment != null) {
                if (listenerNack != null) {
                    acknowledgment.nack(listenerNack.pollIndex(), listenerNack.sleep());
                } else if (!(guard.applicationAcks() && call.ran())) {
                    acknowledgment.acknowledge();
                }
            }
            return;
        }
        DedupResult<?> stop = results.get(handBack);
        ConsumerRecord<?, ?> record = all.get(handBack);
        boolean notDone = stop.disposition() == Disposition.DEFER || stop.disposition() == Disposition.BACK_OFF;
        if (notDone || listenerNack != null) {
            if (acknowledgment == null) {
                throw new IllegalStateException("listener " + guard.listenerId() + " has no Acknowledgment to defer "
                        + record.topic() + "-" + record.partition() + "@" + record.offset()
                        + "; its container must use a MANUAL ack mode");
            }
            // Commits the records before the index and seeks back to it: it and everything after it come again
            // after the back-off, in order. A record that ran but whose completion is still being written finds its
            // key held by that completion until it is written, and is then a duplicate. The listener's own nack,
            // when it comes earlier, is the one sent (the container keeps one).
            if (listenerNack != null) {
                acknowledgment.nack(listenerNack.pollIndex(), listenerNack.sleep());
            } else {
                acknowledgment.nack(handBack, guard.inProgressBackoff());
            }
            return;
        }
        RuntimeException failure = guard.failure(stop, record);
        throw new BatchListenerFailedException(failure.getMessage(), failure, record);
    }

    /**
     * The work inside the claim: picks the records that may run (in order, up to the first that must go back), calls
     * the listener once with them, and settles each record's key by how the call ended.
     */
    private Call call(
            ClaimedBatch<ConsumerRecord<?, ?>> batch, Acknowledgment acknowledgment, Consumer<?, ?> consumer) {
        List<ClaimedBatch.Entry<ConsumerRecord<?, ?>>> entries = batch.entries();
        int stopAt = -1;
        List<ClaimedBatch.Entry<ConsumerRecord<?, ?>>> runnable = new ArrayList<>();
        for (ClaimedBatch.Entry<ConsumerRecord<?, ?>> entry : entries) {
            if (stopAt >= 0) {
                // Behind a record that goes back: released unrun, so that its redelivery can claim it again.
                if (entry.mayRun()) {
                    batch.skip(entry);
                }
            } else if (entry.mayRun()) {
                runnable.add(entry);
            } else if (!settledWithoutListener(entry)) {
                stopAt = entry.index();
            }
        }
        if (runnable.isEmpty()) {
            return new Call(stopAt, null, -1, false, null);
        }
        List<ConsumerRecord<K, V>> toRun = new ArrayList<>(runnable.size());
        int[] pollIndexes = new int[runnable.size()];
        for (ClaimedBatch.Entry<ConsumerRecord<?, ?>> entry : runnable) {
            @SuppressWarnings("unchecked")
            ConsumerRecord<K, V> record = (ConsumerRecord<K, V>) entry.message();
            pollIndexes[toRun.size()] = entry.index();
            toRun.add(record);
        }
        // The listener's acks wait until its records' keys are recorded, which happens after it returned.
        HeldAcknowledgment held =
                acknowledgment == null ? null : HeldAcknowledgment.forBatch(acknowledgment, pollIndexes);
        RuntimeException failure = null;
        int failedAt = runnable.size();
        try {
            invoke(toRun, held, consumer);
        } catch (BatchListenerFailedException e) {
            if (guard.scope().sharesTransaction()) {
                // One transaction: the records before the one it names were rolled back with it, so the whole call
                // goes to the error handler, none of its offsets committed.
                failure = e.getCause() instanceof RuntimeException cause ? cause : e;
                failedAt = 0;
            } else {
                failure = e;
                failedAt = indexOf(e, toRun);
            }
        } catch (RuntimeException e) {
            failure = e;
            failedAt = 0;
        }
        // Keys before the failed record are completed, the failed one and those after it released: exactly the
        // records the error handler will redeliver are the ones whose keys are free again.
        RuntimeException cause = failure;
        for (int i = 0; i < runnable.size(); i++) {
            if (i < failedAt) {
                batch.run(runnable.get(i), message -> null, OutcomeCodecs.none(), false);
            } else {
                batch.run(
                        runnable.get(i),
                        message -> {
                            throw cause;
                        },
                        OutcomeCodecs.none(),
                        false);
            }
        }
        int failedIndex = Math.min(failedAt, toRun.size() - 1);
        ConsumerRecord<?, ?> failedRecord = failure == null ? null : toRun.get(failedIndex);
        if (failure instanceof BatchListenerFailedException listenerFailure
                && listenerFailure.getRecord() == null
                && !guard.scope().sharesTransaction()) {
            // The listener's index counts the records it was given; the error handler counts the poll's.
            failure = new BatchListenerFailedException(listenerFailure.getMessage(), listenerFailure, failedRecord);
        }
        return new Call(stopAt, failure, failure == null ? -1 : pollIndexes[failedIndex], true, held);
    }

    /** A duplicate (or a repeat settled by its first) needs no listener and no redelivery. */
    private static boolean settledWithoutListener(ClaimedBatch.Entry<ConsumerRecord<?, ?>> entry) {
        DedupResult<?> result = entry.result();
        if (result != null) {
            return result.disposition() == Disposition.ACK;
        }
        // A repeat of an earlier key in this poll is settled by its first: it never runs.
        return entry.repeatOf().isPresent();
    }

    /**
     * Where in {@code given} the listener's failure is: by the record it names (compared by position, since the
     * listener may have named a copy), else by its index; the first record when neither matches.
     */
    private static int indexOf(BatchListenerFailedException e, List<? extends ConsumerRecord<?, ?>> given) {
        if (e.getRecord() != null) {
            for (int i = 0; i < given.size(); i++) {
                ConsumerRecord<?, ?> r = given.get(i);
                if (r.topic().equals(e.getRecord().topic())
                        && r.partition() == e.getRecord().partition()
                        && r.offset() == e.getRecord().offset()) {
                    return i;
                }
            }
            return 0;
        }
        return Math.max(0, Math.min(e.getIndex(), given.size() - 1));
    }

    /** Calls the application's listener through the signature it implements, as the container would have. */
    private void invoke(List<ConsumerRecord<K, V>> records, Acknowledgment ack, Consumer<?, ?> consumer) {
        switch (delegateType) {
            case ACKNOWLEDGING_CONSUMER_AWARE -> delegate.onMessage(records, ack, consumer);
            case ACKNOWLEDGING -> delegate.onMessage(records, ack);
            case CONSUMER_AWARE -> delegate.onMessage(records, consumer);
            case SIMPLE -> delegate.onMessage(records);
        }
    }

    @Override
    public void onMessage(List<ConsumerRecord<K, V>> data) {
        onMessage(data, null, null);
    }

    @Override
    public void onMessage(List<ConsumerRecord<K, V>> data, Acknowledgment acknowledgment) {
        onMessage(data, acknowledgment, null);
    }

    @Override
    public void onMessage(List<ConsumerRecord<K, V>> data, Consumer<?, ?> consumer) {
        onMessage(data, null, consumer);
    }

    /** The container hands over the poll as a list of records, which is what the claim works on. */
    @Override
    public boolean wantsPollResult() {
        return false;
    }
}
