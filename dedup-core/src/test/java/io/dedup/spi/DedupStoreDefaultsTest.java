package io.dedup.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dedup.Claim;
import io.dedup.DedupKey;
import io.dedup.DedupStoreCorruptionException;
import io.dedup.DedupStoreUnavailableException;
import io.dedup.OutcomeStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The SPI's default batch methods, which a store answering only single keys gets: each item is one call, a record that
 * cannot be read fails only its own entry, and an unavailable store fails the whole call.
 */
class DedupStoreDefaultsTest {
    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final Duration RETENTION = Duration.ofHours(1);
    private static final DedupKey GOOD = DedupKey.of("defaults", "good");
    private static final DedupKey CORRUPT = DedupKey.of("defaults", "corrupt");
    private static final DedupKey DOWN = DedupKey.of("defaults", "down");

    /**
     * Answers single-key calls only, so every batch goes through the SPI's defaults: every key is acquired and every
     * write applies, but for the planted ones.
     */
    private static final class SingleKeyStore implements DedupStore {
        private static void refuse(DedupKey key) {
            if (key.equals(CORRUPT)) {
                throw new DedupStoreCorruptionException(key, "planted by the test");
            }
            if (key.equals(DOWN)) {
                throw new DedupStoreUnavailableException("down for " + key);
            }
        }

        @Override
        public ClaimResult claim(ClaimRequest request) {
            refuse(request.key());
            return new ClaimResult.Acquired(new Claim(request.key(), 1, 1, Instant.EPOCH.plus(request.lease())));
        }

        @Override
        public WriteResult complete(Completion completion) {
            refuse(completion.key());
            return WriteResult.APPLIED;
        }

        @Override
        public WriteResult renew(DedupKey key, long token, Duration lease) {
            refuse(key);
            return WriteResult.APPLIED;
        }

        @Override
        public WriteResult release(DedupKey key, long token, Duration retention) {
            return WriteResult.APPLIED;
        }

        @Override
        public Optional<StoredRecord> find(DedupKey key) {
            return Optional.empty();
        }
    }

    private final SingleKeyStore store = new SingleKeyStore();

    @Test
    void a_corrupt_record_fails_only_its_own_entry_of_each_default_batch() {
        List<ClaimResult> claims = store.claimAll(
                List.of(ClaimRequest.of(GOOD, LEASE, RETENTION), ClaimRequest.of(CORRUPT, LEASE, RETENTION)));
        assertThat(claims.get(0)).isInstanceOf(ClaimResult.Acquired.class);
        assertThat(claims.get(1)).isInstanceOfSatisfying(ClaimResult.Failed.class, failed -> {
            assertThat(failed.key()).isEqualTo(CORRUPT);
            assertThat(failed.cause()).isInstanceOf(DedupStoreCorruptionException.class);
        });
        Claim claim = ((ClaimResult.Acquired) claims.get(0)).claim();
        Claim corrupt = new Claim(CORRUPT, 1, 1, claim.leaseUntil());

        List<WriteResult> renewed = store.renewAll(List.of(claim, corrupt), LEASE);
        assertThat(renewed.get(0)).isEqualTo(WriteResult.APPLIED);
        assertThat(renewed.get(1)).isInstanceOf(WriteResult.Failed.class);

        List<WriteResult> completed = store.completeAll(List.of(
                new Completion(GOOD, claim.token(), OutcomeStatus.SUCCEEDED, new byte[0], RETENTION),
                new Completion(CORRUPT, 1, OutcomeStatus.SUCCEEDED, new byte[0], RETENTION)));
        assertThat(completed.get(0)).isEqualTo(WriteResult.APPLIED);
        assertThat(completed.get(1)).isInstanceOf(WriteResult.Failed.class);
    }

    @Test
    void an_unavailable_store_fails_the_whole_default_batch() {
        assertThatThrownBy(() -> store.claimAll(
                        List.of(ClaimRequest.of(GOOD, LEASE, RETENTION), ClaimRequest.of(DOWN, LEASE, RETENTION))))
                .isInstanceOf(DedupStoreUnavailableException.class)
                .hasMessageContaining("down");
    }
}
