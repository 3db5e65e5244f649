package io.dedup.spi;

import io.dedup.DedupStoreException;
import java.util.Objects;

/**
 * The answer to a fenced write (complete, renew, release): {@link #APPLIED}, {@link #FENCED} (the token is not the
 * key's current token, or the record is gone or no longer held), or, only in batch answers, {@link Failed}.
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

    static WriteResult of(boolean applied) {
        return applied ? APPLIED : FENCED;
    }
}
