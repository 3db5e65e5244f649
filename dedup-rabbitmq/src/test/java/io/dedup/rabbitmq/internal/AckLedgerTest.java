package io.dedup.rabbitmq.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class AckLedgerTest {
    @Test
    void a_run_starting_right_after_everything_settled_may_be_acked_with_multiple() {
        AckLedger ledger = receivedThrough(5);
        assertThat(ledger.canAckMultiple(1)).isTrue();
        ledger.settled(1);
        ledger.settled(2);
        assertThat(ledger.canAckMultiple(3)).isTrue();
        assertThat(ledger.canAckMultiple(4)).isFalse();
    }

    @Test
    void a_held_delivery_blocks_multiple_acks_until_it_is_settled() {
        AckLedger ledger = receivedThrough(6);
        ledger.settled(1);
        // 2 is held for a delayed redelivery; 3 and 4 are acked one by one.
        ledger.settled(3);
        ledger.settled(4);
        assertThat(ledger.canAckMultiple(5)).isFalse();
        ledger.settled(2);
        assertThat(ledger.canAckMultiple(5)).isTrue();
    }

    @Test
    void a_skipped_tag_means_another_consumer_shares_the_channel_and_turns_multiple_acks_off() {
        AckLedger ledger = received(1, 3);
        ledger.settled(1);
        assertThat(ledger.canAckMultiple(2)).isFalse();
        assertThat(ledger.canAckMultiple(3)).isFalse();
    }

    @Test
    void a_wrapper_that_joins_a_used_channel_never_acks_with_multiple() {
        AckLedger ledger = received(7);
        assertThat(ledger.canAckMultiple(7)).isFalse();
    }

    @Test
    void after_recovery_the_count_continues_and_old_unsettled_tags_are_void() {
        AckLedger ledger = receivedThrough(4);
        ledger.settled(1);
        ledger.channelReplaced();
        ledger.received(5);
        assertThat(ledger.canAckMultiple(5)).isTrue();
    }

    @Test
    void after_recovery_a_gap_left_by_another_consumer_keeps_multiple_acks_off() {
        AckLedger ledger = received(1, 2);
        ledger.channelReplaced();
        ledger.received(4);
        assertThat(ledger.canAckMultiple(4)).isFalse();
    }

    /** A ledger that saw the tags 1 to {@code last} in order, as the channel's only consumer. */
    private static AckLedger receivedThrough(long last) {
        return received(LongStream.rangeClosed(1, last).toArray());
    }

    /** A ledger that saw {@code tags}, in this order. */
    private static AckLedger received(long... tags) {
        AckLedger ledger = new AckLedger();
        for (long tag : tags) {
            ledger.received(tag);
        }
        return ledger;
    }
}
