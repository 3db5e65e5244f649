package io.dedup.jdbc;

import io.dedup.Claim;
import io.dedup.DedupKey;
import java.sql.Connection;
import java.util.Objects;

/**
 * What a {@link TransactionalHandler} gets besides its message: the transaction's connection and the claim it
 * runs under. Not thread-safe: it lives on the handler's thread for one call. Throws nothing but {@link
 * NullPointerException} for a null outcome.
 */
public final class TransactionContext {
    private static final byte[] EMPTY = new byte[0];

    private final Connection connection;
    private final Claim claim;
    private byte[] outcome = EMPTY;

    TransactionContext(Connection connection, Claim claim) {
        this.connection = connection;
        this.claim = claim;
    }

    /**
     * The connection of the transaction that claims the key: write the handler's effects through it. It refuses
     * {@code commit}, {@code rollback}, {@code close} and {@code setAutoCommit}; dedup commits or rolls back. Close
     * the statements you open.
     */
    public Connection connection() {
        return connection;
    }

    /** The claim this message runs under; pass {@link Claim#token()} to downstream systems that check fencing. */
    public Claim claim() {
        return claim;
    }

    /** The key this message was claimed under: {@code claim().key()}. */
    public DedupKey key() {
        return claim.key();
    }

    /**
     * Bytes stored with the key when it completes (an RPC reply, say); later duplicates receive them in {@link
     * io.dedup.DedupResult.Duplicate#outcome()}. Default: empty.
     */
    public void outcome(byte[] body) {
        // Copied: the handler may reuse its buffer after returning, before the completion is written.
        this.outcome = Objects.requireNonNull(body, "body").clone();
    }

    /** What the handler set, for the completion. */
    byte[] outcome() {
        return outcome;
    }
}
