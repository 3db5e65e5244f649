package io.dedup.spring.kafka;

import java.time.Duration;
import java.util.Objects;
import org.springframework.kafka.support.Acknowledgment;

/**
 * The {@link Acknowledgment} the application's listener is given in place of the container's: it holds the
 * listener's acks until its claim settled, because the container's ack commits the offset (at once in MANUAL_IMMEDIATE,
 * with the next commit in MANUAL, which a hand-back's {@code nack} makes right away) and the offset commit must come
 * after the store recorded the key (DESIGN §2, G5). Once the wrapper knows how far the poll may be committed it
 * {@link #settle settles}: when every record is done the held acks go to the container; otherwise they are dropped,
 * since the wrapper's own {@code nack} commits the records before the one it hands back and nothing from that one on
 * may be committed. An ack that comes later (from another thread, in MANUAL mode) goes through only when the whole
 * delivery was settled as done.
 *
 * <p>Indexes the listener passes count the records it was given, which leave out the poll's duplicates; they are turned
 * into the container's indexes, which count the whole poll.
 *
 * <p>Thread-safe: an application may acknowledge from another thread in MANUAL mode.
 */
final class HeldAcknowledgment implements Acknowledgment {
    /** A settled point meaning that the whole delivery may be acknowledged. */
    static final int ALL = Integer.MAX_VALUE;

    private final Acknowledgment container;
    /** The poll index of each record the listener was given, in its order; null for a record listener. */
    private final int[] pollIndexes;

    /** Whether the listener acknowledged the whole delivery. Guarded by this. */
    private boolean acked;
    /** The highest poll index the listener acknowledged up to (batch, partial acks); -1 for none. Guarded by this. */
    private int ackedUpTo = -1;
    /** The poll index the listener nacked at (0 for a record listener); -1 for none. Guarded by this. */
    private int nackAt = -1;
    /** The listener's nack sleep, when it nacked. Guarded by this. */
    private Duration nackSleep;
    /**
     * Where the wrapper hands the delivery back ({@link #ALL}: nowhere, every record is done), or -1 while the acks are
     * held. Guarded by this.
     */
    private int settledAt = -1;

    private HeldAcknowledgment(Acknowledgment container, int[] pollIndexes) {
        this.container = Objects.requireNonNull(container, "container");
        this.pollIndexes = pollIndexes;
    }

    /** For a record listener: its record is the whole delivery. */
    static HeldAcknowledgment forRecord(Acknowledgment container) {
        return new HeldAcknowledgment(container, null);
    }

    /** For a batch listener given the records at {@code pollIndexes} of the poll, in that order. */
    static HeldAcknowledgment forBatch(Acknowledgment container, int[] pollIndexes) {
        return new HeldAcknowledgment(container, pollIndexes.clone());
    }

    @Override
    public void acknowledge() {
        synchronized (this) {
            if (settledAt < 0) {
                acked = true;
                return;
            }
            if (settledAt != ALL) {
                return;
            }
        }
        container.acknowledge();
    }

    /**
     * @throws IllegalArgumentException if {@code index} is outside the records the listener was given
     * @throws UnsupportedOperationException for a record listener, as the container's
     */
    @Override
    public void acknowledge(int index) {
        int pollIndex = pollIndex(index);
        synchronized (this) {
            if (settledAt < 0) {
                ackedUpTo = Math.max(ackedUpTo, pollIndex);
                return;
            }
            if (settledAt != ALL) {
                return;
            }
        }
        container.acknowledge(pollIndex);
    }

    @Override
    public void nack(Duration sleep) {
        if (pollIndexes != null) {
            container.nack(sleep); // the container's batch acknowledgment refuses it, with its own message
            return;
        }
        holdNack(0, sleep);
    }

    /** @throws IllegalArgumentException if {@code index} is outside the records the listener was given */
    @Override
    public void nack(int index, Duration sleep) {
        if (pollIndexes == null) {
            container.nack(index, sleep); // the container's record acknowledgment refuses it, with its own message
            return;
        }
        holdNack(pollIndex(index), sleep);
    }

    private void holdNack(int pollIndex, Duration sleep) {
        Objects.requireNonNull(sleep, "sleep");
        if (sleep.isNegative()) {
            throw new IllegalArgumentException("sleep cannot be negative");
        }
        synchronized (this) {
            if (settledAt < 0) {
                if (nackAt < 0 || pollIndex < nackAt) {
                    nackAt = pollIndex;
                    nackSleep = sleep;
                }
                return;
            }
        }
        // After the wrapper settled, only the consumer thread may still nack (the container checks): as is.
        if (pollIndexes == null) {
            container.nack(sleep);
        } else {
            container.nack(pollIndex, sleep);
        }
    }

    /**
     * Ends the hold. {@code pollIndex} is where the wrapper hands the poll back (with {@code nack} or to the error
     * handler), {@link #ALL} when every record's key is recorded or settled without the listener. Only then do the
     * listener's acks go to the container; otherwise they are dropped, now and later, because the wrapper's {@code
     * nack} commits the records before the hand-back itself and nothing at or after it may be committed. Returns the
     * listener's own nack, when it nacked before {@code pollIndex}, for the wrapper to send (the container keeps one
     * nack per delivery), else null. Called once, on the consumer thread.
     */
    synchronized ListenerNack settle(int pollIndex) {
        settledAt = Math.max(0, pollIndex);
        if (settledAt == ALL) {
            if (acked) {
                container.acknowledge();
            } else if (ackedUpTo >= 0) {
                container.acknowledge(ackedUpTo);
            }
        }
        return nackAt >= 0 && nackAt < settledAt ? new ListenerNack(nackAt, nackSleep) : null;
    }

    /** A nack the listener made and the wrapper must send: at this poll index (0 for a record), after this sleep. */
    record ListenerNack(int pollIndex, Duration sleep) {}

    private int pollIndex(int index) {
        if (pollIndexes == null) {
            throw new UnsupportedOperationException("acknowledge(index) is for batch listeners");
        }
        if (index < 0 || index >= pollIndexes.length) {
            throw new IllegalArgumentException(
                    "index " + index + " is outside the " + pollIndexes.length + " records the listener was given");
        }
        return pollIndexes[index];
    }
}
