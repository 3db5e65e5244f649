package io.dedup.rabbitmq.internal;

import java.util.TreeSet;

/**
 * Knows when one {@code basicAck(tag, multiple=true)} may settle a run of deliveries: only when every delivery tag
 * below the run on the channel is already settled (or void because the channel was replaced), so that a multiple
 * ack never covers a delivery that is held for later, or one that belongs to another consumer of the channel.
 *
 * <p>Delivery tags on a channel count up from 1, and automatic recovery continues the count on the new channel.
 * A wrapper that sees every tag in sequence is the channel's only consumer; once a tag is skipped, another
 * consumer shares the channel and multiple acks stay off until the channel is replaced.
 *
 * <p>Not thread-safe: owned by one pipeline's worker thread.
 */
final class AckLedger {
    /** Every tag at or below this is settled, or void after a channel reset. */
    private long settledThrough;
    /** Settled tags above {@link #settledThrough}, waiting for the gap below them to close. */
    private final TreeSet<Long> settledAbove = new TreeSet<>();

    private long maxSeen;
    private boolean shared;

    /**
     * A delivery arrived. A tag that does not follow the highest seen means another consumer took the tags between:
     * from then on only single acks are safe, and the settled tags above the gap are of no use.
     */
    void received(long tag) {
        if (tag != maxSeen + 1) {
            shared = true;
            settledAbove.clear();
        }
        maxSeen = Math.max(maxSeen, tag);
    }

    /** Whether {@code basicAck(last, true)} settles exactly the run {@code first..last} of this consumer's tags. */
    boolean canAckMultiple(long first) {
        return !shared && first == settledThrough + 1;
    }

    /** A delivery was acked, nacked or rejected. */
    void settled(long tag) {
        if (shared || tag <= settledThrough) {
            return;
        }
        if (tag != settledThrough + 1) {
            settledAbove.add(tag);
            return;
        }
        settledThrough = tag;
        while (!settledAbove.isEmpty() && settledAbove.first() == settledThrough + 1) {
            settledThrough = settledAbove.pollFirst();
        }
    }

    /**
     * The channel was closed: every tag delivered on it is void, and the recovered channel continues counting
     * after the highest tag the old one delivered.
     */
    void channelReplaced() {
        settledThrough = maxSeen;
        settledAbove.clear();
        shared = false;
    }
}
