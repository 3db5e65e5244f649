package io.dedup.kafka.internal.share;

import io.dedup.DeadLetterReason;

/** What the runner does with one record of a poll once its batch ran. Immutable. */
record Verdict(Kind kind, DeadLetterReason reason, Throwable error, int attempts, java.time.Instant retryAt) {
    enum Kind {
        /** The store recorded the key as completed (processed now, or a duplicate): ACCEPT. */
        ACCEPT,
        /** Deliver it again (failure with deliveries left, key held elsewhere, work given back): RELEASE. */
        RELEASE,
        /** Publish it to its dead-letter topic, then REJECT. */
        DEAD_LETTER,
        /** The store did not answer: keep the record (renewing its lock), back off, and claim it again. */
        RETRY,
        /**
         * Its key is held by another consumer: keep the record (renewing its lock) and claim it again once the holder's
         * lease may have ended ({@link #retryAt()}, by the store's clock), rather than RELEASE it into a hot loop of
         * redeliveries that would use up its delivery count while the holder works.
         */
        DEFER
    }

    static final Verdict ACCEPT = new Verdict(Kind.ACCEPT, null, null, 0, null);
    static final Verdict RELEASE = new Verdict(Kind.RELEASE, null, null, 0, null);
    static final Verdict RETRY = new Verdict(Kind.RETRY, null, null, 0, null);

    /** Publish to the dead-letter topic for {@code reason}, then REJECT; {@code attempts} goes into its headers. */
    static Verdict deadLetter(DeadLetterReason reason, Throwable error, int attempts) {
        return new Verdict(Kind.DEAD_LETTER, reason, error, attempts, null);
    }

    /** Keep the record and claim it again once the holder's lease may have ended ({@code leaseUntil}, or unknown). */
    static Verdict defer(java.time.Instant leaseUntil) {
        return new Verdict(Kind.DEFER, null, null, 0, leaseUntil);
    }
}
