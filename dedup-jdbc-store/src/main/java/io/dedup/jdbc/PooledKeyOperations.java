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
import java.util.Objects;
import java.util.Optional;

/**
 * The {@link JdbcDedupStore}'s operations outside a transaction, each on a pooled connection in autocommit (one
 * statement commits by itself, so a claim's row lock is held only for that statement): the claim path ({@link
 * #claim}, {@link #claimAll}), the completion path ({@link #complete}, {@link #completeAll}, {@link #renew}, {@link
 * #release}) and reads and housekeeping ({@link #find}, {@link #purgeExpired}). Each method checks its arguments
 * and has the contract of the {@link io.dedup.spi.DedupStore} method of the same name. Thread-safe.
 */
final class PooledKeyOperations {
    private final StoreDatabase db;
    private final SqlDialect dialect;

    PooledKeyOperations(StoreDatabase db) {
        this.db = db;
        this.dialect = db.sql;
    }

    ClaimResult claim(ClaimRequest request) {
        Objects.requireNonNull(request, "request");
        ClaimResult result = db.run(
                        "claim " + request.key(), (c, tx) -> db.claims(c, tx).claimAll(List.of(request)))
                .get(0);
        if (result instanceof ClaimResult.Failed failed) {
            throw failed.cause();
        }
        return result;
    }

    List<ClaimResult> claimAll(List<ClaimRequest> requests) {
        Objects.requireNonNull(requests, "requests");
        if (requests.isEmpty()) {
            return List.of();
        }
        return db.run("claim " + requests.size() + " keys", (c, tx) -> db.claims(c, tx)
                .claimAll(requests));
    }

    WriteResult complete(Completion completion) {
        Objects.requireNonNull(completion, "completion");
        return writeHeld(
                "complete " + completion.key(),
                completion.key(),
                (c, stored) -> dialect.complete(
                        c,
                        stored == completion.key()
                                ? completion
                                : new Completion(
                                        stored,
                                        completion.token(),
                                        completion.status(),
                                        completion.body(),
                                        completion.retention())));
    }

    List<WriteResult> completeAll(List<Completion> completions) {
        Objects.requireNonNull(completions, "completions");
        if (completions.isEmpty()) {
            return List.of();
        }
        return db.run("complete " + completions.size() + " keys", (c, tx) -> db.completions(c, tx)
                .completeAll(completions));
    }

    WriteResult renew(DedupKey key, long token, Duration lease) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(lease, "lease");
        return writeHeld("renew " + key, key, (c, stored) -> dialect.renew(c, stored, token, lease));
    }

    WriteResult release(DedupKey key, long token, Duration retention) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(retention, "retention");
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

    Optional<StoredRecord> find(DedupKey key) {
        Objects.requireNonNull(key, "key");
        DedupKey stored = db.storable(key);
        if (stored == null) {
            return Optional.empty();
        }
        return db.run("find " + key, (c, tx) -> dialect.find(c, stored)).map(row -> row.record(key));
    }

    /**
     * Deletes at most {@code maxEntries} rows whose expiry has passed by the database's clock, in one statement.
     *
     * @throws IllegalArgumentException if {@code maxEntries} is less than 1
     */
    int purgeExpired(int maxEntries) {
        return db.run("purge expired keys", (c, tx) -> dialect.purge(c, maxEntries));
    }
}
