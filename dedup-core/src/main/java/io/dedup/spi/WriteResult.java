package io.dedup.spi;

import io.dedup.DedupStoreException;
import java.util.Objects;

/**
 * The answer to a fenced write (complete, renew, release): {@link #APPLIED}, {@link #FENCED} (the token is not the
 * key's current token, or the record is gone or no longer held), or, only in batch answers, {@link Failed}.
 *
 * <p>Immutable. A gone record answers FENCED rather than an error: whoever let it lapse can no longer tell that no
 * one else acquired the key meanwhile.
 */
public sealed interface WriteResult {
    /** The write took effect. */
    WriteResult APPLIED = new Applied();
    /** The write was refused: the caller's token is stale. */
    WriteResult FENCED = new Fenced();

    /** @see #APPLIED */
    record Applied() implements WriteResult {}

    /** @see #FENCED */
    record Fenced() implements WriteResult {}

    /** In a batch answer: the store could not answer for this key. */
    record Failed(DedupStoreException cause) implements WriteResult {
        public Failed {
            Objects.requireNonNull(cause, "cause");
        }
    }

    /** {@link #APPLIED} or {@link #FENCED}. */
    static WriteResult of(boolean applied) {
        return applied ? APPLIED : FENCED;
    }
}
