package io.dedup.rabbitmq.internal;

import com.rabbitmq.client.Channel;
import java.io.IOException;

/**
 * Consecutive delivery tags to ack together. A run collects tags in delivery order and sends them as one {@code
 * basicAck(last, multiple=true)} when the {@link AckLedger} says that settles exactly this run, or one ack per tag
 * otherwise (a delivery below the run is still held, or another consumer shares the channel). Cutting the round trips
 * matters: one ack per message is a write and a flush per message on the broker.
 *
 * <p>Not thread-safe: used by a {@link BatchSettler} on one pipeline's worker thread, one batch at a time.
 */
final class AckRun {
    private final Channel channel;
    private final AckLedger ledger;
    private long first = -1;
    private long last = -1;

    AckRun(Channel channel, AckLedger ledger) {
        this.channel = channel;
        this.ledger = ledger;
    }

    /**
     * Adds the next tag to ack; a tag that does not follow the run's last one ends the run first.
     *
     * @throws IOException if the channel fails while acking the run it ends
     */
    void add(long tag) throws IOException {
        if (first >= 0 && tag != last + 1) {
            flush();
        }
        if (first < 0) {
            first = tag;
        }
        last = tag;
    }

    /**
     * Acks the run and records it in the ledger; nothing when empty. Called before a reject settles a tag and at the end of a batch, so the broker sees the settlements in delivery order.
     *
     * @throws IOException if the channel fails; the tags not acked are then redelivered by the broker
     */
    void flush() throws IOException {
        if (first < 0) {
            return;
        }
        if (ledger.canAckMultiple(first)) {
            channel.basicAck(last, true);
        } else {
            for (long tag = first; tag <= last; tag++) {
                channel.basicAck(tag, false);
            }
        }
        for (long tag = first; tag <= last; tag++) {
            ledger.settled(tag);
        }
        first = -1;
        last = -1;
    }
}
