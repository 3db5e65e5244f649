package io.dedup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The reason every adapter gives a rejected message: the same words whichever transport dead-letters it. */
class DeadLetterReasonTest {
    @Test
    void a_rejection_is_named_by_what_was_wrong_with_the_key_or_its_record() {
        assertThat(DeadLetterReason.forRejection(new IdempotencyKeyMissingException("no header")))
                .isEqualTo(DeadLetterReason.KEY_MISSING);
        assertThat(DeadLetterReason.forRejection(new IdempotencyKeyUnreadableException("not JSON")))
                .isEqualTo(DeadLetterReason.KEY_UNREADABLE);
        assertThat(DeadLetterReason.forRejection(
                        new DedupStoreCorruptionException(DedupKey.of("ns", "k"), "unreadable outcome")))
                .isEqualTo(DeadLetterReason.STORE_RECORD_CORRUPT);
    }

    @Test
    void a_null_rejection_is_refused() {
        assertThatThrownBy(() -> DeadLetterReason.forRejection(null)).isInstanceOf(NullPointerException.class);
    }
}
