package io.dedup.kafka.share;

import io.dedup.Claim;
import java.util.Objects;
import java.util.Optional;

/**
 * What a handler may know about the delivery it runs for: the claim it runs under and how many times the share
 * group has delivered the record, this delivery included. Immutable and thread-safe.
 *
 * @param claim the claim on the record's key; empty only when the handler runs unguarded (store unavailable under
 *     the fail-open policy)
 * @param deliveryCount how many times the broker delivered the record, this delivery included (1 on the first)
 * @param deliveryLimit the runner's delivery limit (the group's {@code share.delivery.count.limit}); a failure on
 *     the delivery whose count reaches it sends the record to its dead-letter topic
 */
public record ShareDelivery(Optional<Claim> claim, int deliveryCount, int deliveryLimit) {
    public ShareDelivery {
        Objects.requireNonNull(claim, "claim");
        if (deliveryCount < 1) {
            throw new IllegalArgumentException("deliveryCount must be positive, got " + deliveryCount);
        }
        if (deliveryLimit < 1) {
            throw new IllegalArgumentException("deliveryLimit must be positive, got " + deliveryLimit);
        }
    }

    /** Whether this is the last delivery the broker makes: a failure now dead-letters the record. */
    public boolean lastDelivery() {
        return deliveryCount >= deliveryLimit;
    }
}
