package io.dedup;

import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * What is stored with a completed key: its status, the handler's encoded result (possibly empty) and when it
 * completed by the store's clock. Duplicates receive it, e.g. to replay an RPC reply.
 *
 * <p>Immutable and thread-safe: the body is copied in and out.
 */
public final class Outcome {
    private static final byte[] EMPTY = new byte[0];

    private final OutcomeStatus status;
    private final byte[] body;
    private final Instant completedAt;

    private Outcome(OutcomeStatus status, byte[] body, Instant completedAt) {
        this.status = status;
        this.body = body;
        this.completedAt = completedAt;
    }

    /**
     * @throws NullPointerException if an argument is null
     */
    public static Outcome of(OutcomeStatus status, byte[] body, Instant completedAt) {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(completedAt, "completedAt");
        return new Outcome(status, body.length == 0 ? EMPTY : body.clone(), completedAt);
    }

    /** Builds an outcome around {@code body} without copying it; the caller hands over ownership. For stores. */
    public static Outcome wrap(OutcomeStatus status, byte[] body, Instant completedAt) {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(completedAt, "completedAt");
        return new Outcome(status, body, completedAt);
    }

    public OutcomeStatus status() {
        return status;
    }

    /** A copy of the stored result bytes; empty when the handler's result was not stored. */
    public byte[] body() {
        return body.length == 0 ? EMPTY : body.clone();
    }

    public int bodyLength() {
        return body.length;
    }

    /** When the key completed, by the store's clock. */
    public Instant completedAt() {
        return completedAt;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Outcome other
                && status == other.status
                && completedAt.equals(other.completedAt)
                && Arrays.equals(body, other.body);
    }

    @Override
    public int hashCode() {
        return Objects.hash(status, completedAt, Arrays.hashCode(body));
    }

    @Override
    public String toString() {
        return "Outcome[" + status + ", " + body.length + " bytes, " + completedAt + "]";
    }
}
