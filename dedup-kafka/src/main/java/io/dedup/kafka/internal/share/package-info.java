/**
 * How the share-group runner works; not for applications. The loop ({@link
 * io.dedup.kafka.internal.share.ShareLoop}) polls, runs one batch at a time on a handler thread ({@code ShareBatch},
 * which turns core's results into {@code Verdict}s), settles the verdicts into acknowledgements ({@code
 * ShareSettlement}, {@code ShareAcknowledger}) and renews the locks of what it still holds ({@code HeldRecords}).
 *
 * <p>The order that matters: a record is acknowledged ACCEPT only after the store recorded its completion, and
 * REJECT only after its dead letter was acknowledged by the broker; everything else is released or kept, so that
 * nothing is lost and the store answers every redelivery.
 *
 * <p>All parameters and return values are non-null unless documented otherwise.
 */
package io.dedup.kafka.internal.share;
