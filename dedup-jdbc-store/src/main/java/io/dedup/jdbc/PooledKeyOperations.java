package io.dedup.jdbc;

import io.dedup.DedupKey;
import io.dedup.spi.ClaimRequest;
import io.dedup.spi.ClaimResult;
import io.dedup.spi.Completion;
import io.dedup.spi.StoredRecord;
import io.dedup.spi.WriteResult;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The {@link JdbcDedupStore}'s operations outside a transaction, each on a pooled connection in autocommit (one
 * statement commits by itself, so a claim's row lock is held only for that statement): the claim path ({@link
 * #claim}, {@link #claimAll}), the completion path ({@link #complete}, {@link #completeAll}, {@link #renew}, {@link
 * #release}) and reads and housekeeping ({@link #find}, {@link #purgeExpired}). Each method has the contract of
 * the {@link io.dedup.spi.DedupStore} method of the same name; {@link JdbcDedupStore} checked the arguments (none
 * null, batches not empty). Thread-safe.
 */
final class PooledKeyOperations {
    private final StoreDatabase db;
    private final SqlDialect dialect;

    PooledKeyOperations(StoreDatabase db) {
        this.db = db;
        this.dialect = db.sql;
    }

    /** Claims one key: one statement, committed before the answer is returned. */
    ClaimResult claim(ClaimRequest request) {
        ClaimResult result = db.run(
                        "claim " + request.key(), (c, tx) -> db.claims(c, tx).claimAll(List.of(request)))
                .get(0);
        // One claim through the batch path: a failure that a batch answers per key is thrown here, as the SPI's
        // single claim does.
        if (result instanceof ClaimResult.Failed failed) {
            throw failed.cause();
        }
        return result;
    }

    /** Claims a batch on one connection; see {@link ClaimBatch} for how it matches sequential claims. */
    List<ClaimResult> claimAll(List<ClaimRequest> requests) {
        return db.run("claim " + requests.size() + " keys", (c, tx) -> db.claims(c, tx)
                .claimAll(requests));
    }

    /** Completes a key held under the completion's token, with its outcome and retention. */
    WriteResult complete(Completion completion) {
        return writeHeld(
                "complete " + completion.key(),
                completion.key(),
                (c, stored) -> dialect.complete(c, StoredText.completion(completion, stored)));
    }

    /** Completes a batch on one connection; see {@link CompletionBatch}. */
    List<WriteResult> completeAll(List<Completion> completions) {
        return db.run("complete " + completions.size() + " keys", (c, tx) -> db.completions(c, tx)
                .completeAll(completions));
    }

    /** Extends the lease of a key held under {@code token}, from the database's now. */
    WriteResult renew(DedupKey key, long token, Duration lease) {
        return writeHeld("renew " + key, key, (c, stored) -> dialect.renew(c, stored, token, lease));
    }

    /** Gives back a key held under {@code token}; the row keeps the token for {@code retention}. */
    WriteResult release(DedupKey key, long token, Duration retention) {
        return writeHeld("release " + key, key, (c, stored) -> dialect.release(c, stored, token, retention));
    }

    /** A write of one held key, given the key as stored; true when it took effect. */
    @FunctionalInterface
    private interface HeldKeyWrite {
        boolean run(Connection connection, DedupKey stored) throws SQLException;
    }

    /** Runs {@code write} on a pooled connection; a key the dialect cannot store has no row, so it is fenced. */
    private WriteResult writeHeld(String operation, DedupKey key, HeldKeyWrite write) {
        DedupKey stored = db.storable(key);
        if (stored == null) {
            return WriteResult.FENCED;
        }
        return WriteResult.of(db.run(operation, (c, tx) -> write.run(c, stored)));
    }

    /** The live record of {@code key}, answered under the key the caller gave (not the stored form). */
    Optional<StoredRecord> find(DedupKey key) {
        DedupKey stored = db.storable(key);
        if (stored == null) {
            return Optional.empty();
        }
        return db.run("find " + key, (c, tx) -> dialect.find(c, stored)).map(row -> row.record(key));
    }

    /**
     * Deletes at most {@code maxEntries} (at least 1) rows whose expiry has passed by the database's clock, in one
     * statement. A bounded statement holds few locks; a backlog is worked off by calling again, as {@link
     * ScheduledPurger} does.
     */
    int purgeExpired(int maxEntries) {
        return db.run("purge expired keys", (c, tx) -> dialect.purge(c, maxEntries));
    }
}
