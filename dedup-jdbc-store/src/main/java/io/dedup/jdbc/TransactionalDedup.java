package io.dedup.jdbc;

import io.dedup.DedupConsumer;
import io.dedup.DedupKey;
import io.dedup.DedupResult;
import io.dedup.DedupStoreCorruptionException;
import io.dedup.DedupStoreUnavailableException;
import io.dedup.IdempotencyKeyException;
import io.dedup.IdempotencyKeyMissingException;
import io.dedup.KeyExtractor;
import io.dedup.OutcomeStatus;
import io.dedup.jdbc.TransactionScope.Decision;
import io.dedup.spi.ClaimRequest;
import io.dedup.spi.ClaimResult;
import io.dedup.spi.Completion;
import io.dedup.spi.StoreTransaction;
import io.dedup.spi.WriteResult;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Exactly-once effects in one database: the message's key is claimed, the handler's writes are made and the key
 * is completed in <em>one</em> transaction, so each key's effect commits exactly once across crashes, rebalances
 * and duplicates.
 *
 * <pre>{@code
 * TransactionalDedup<Payment> dedup = TransactionalDedup.builder(store, (Payment p) -> Optional.of(p.id()))
 *         .namespace("payments")
 *         .build();
 * DedupResult<Void> result = dedup.process(payment, (p, tx) -> {
 *     try (PreparedStatement insert = tx.connection().prepareStatement("INSERT INTO ledger ...")) {
 *         ...
 *         insert.executeUpdate();
 *     }
 * });
 * // act on result.disposition(): ACK, DEFER, RETRY_OR_DEAD_LETTER, DEAD_LETTER or BACK_OFF
 * }</pre>
 *
 * <p>Concurrent deliveries of one key: the first transaction holds the key's row lock until it commits; the others
 * wait for it (up to the store's lock timeout) and then find the key completed: {@link DedupResult.Duplicate}. A
 * handler that throws rolls back its writes and the claim together ({@link DedupResult.Failed}; nothing is left
 * behind, so a redelivery runs it again). If the transaction's fate is unknown (the commit failed) the answer is
 * {@link DedupResult.Unavailable} with {@code handlerRan}: a redelivery finds out, as a duplicate or a fresh run.
 *
 * <p>By default each message runs in a transaction on a connection of the store's data source; with {@link
 * Builder#transactionRunner} it runs in transactions the application manages (Spring's {@code
 * TransactionTemplate}, for instance). Thread-safe.
 *
 * @param <M> the message type
 */
public final class TransactionalDedup<M> {
    private final JdbcDedupStore store;
    private final KeyExtractor<? super M> keys;
    private final String namespace;
    private final Duration retention;
    private final Duration lease;
    private final Function<? super M, byte[]> fingerprint;
    private final boolean digestAllKeys;
    private final TransactionScope scope;

    private TransactionalDedup(Builder<M> builder) {
        this.store = builder.store;
        this.keys = builder.keys;
        this.namespace = builder.namespace;
        this.retention = builder.retention;
        this.lease = builder.lease;
        this.fingerprint = builder.fingerprint;
        this.digestAllKeys = builder.digestAllKeys;
        this.scope = new TransactionScope(builder.store, builder.runner);
    }

    /** A builder over {@code store}, finding each message's key with {@code keys}. */
    public static <M> Builder<M> builder(JdbcDedupStore store, KeyExtractor<? super M> keys) {
        return new Builder<>(Objects.requireNonNull(store, "store"), Objects.requireNonNull(keys, "keys"));
    }

    /**
     * Runs {@code handler} for {@code message} unless its key completed before, in one transaction with the claim
     * and the completion. Never throws for store trouble or a failing handler: the answer says what happened.
     */
    public DedupResult<Void> process(M message, TransactionalHandler<? super M> handler) {
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(handler, "handler");
        DedupKey key;
        try {
            key = keyOf(message);
        } catch (IdempotencyKeyException e) {
            return new DedupResult.Rejected<>(e);
        }
        ClaimRequest request = requestFor(key, message);
        boolean[] ran = new boolean[1];
        try {
            return scope.run(tx -> {
                ClaimResult claim = tx.claimAll(List.of(request)).get(0);
                if (!(claim instanceof ClaimResult.Acquired acquired)) {
                    return Decision.commit(settled(claim));
                }
                ran[0] = true;
                return runAndComplete(tx, acquired, message, handler);
            });
        } catch (DedupStoreUnavailableException e) {
            return new DedupResult.Unavailable<>(Optional.of(key), e, ran[0]);
        }
    }

    /**
     * Processes a batch in one transaction: one claim statement, the handlers in list order, one completion
     * statement, one commit. A key repeated in the batch is a duplicate of its first occurrence. If any handler
     * throws, the whole transaction rolls back and each message of the batch is then processed on its own, so that
     * only the failing ones fail. One result per message, in order.
     */
    public List<DedupResult<Void>> processAll(List<? extends M> messages, TransactionalHandler<? super M> handler) {
        Objects.requireNonNull(messages, "messages");
        Objects.requireNonNull(handler, "handler");
        int n = messages.size();
        List<DedupResult<Void>> results = new ArrayList<>(n);
        List<List<Integer>> rounds = new ArrayList<>();
        Map<DedupKey, Integer> seen = new HashMap<>(n * 2);
        ClaimRequest[] requests = new ClaimRequest[n];
        for (int i = 0; i < n; i++) {
            M message = Objects.requireNonNull(messages.get(i), "messages must not contain null");
            results.add(null);
            try {
                DedupKey key = keyOf(message);
                requests[i] = requestFor(key, message);
                int round = seen.merge(key, 1, Integer::sum) - 1;
                if (round == rounds.size()) {
                    rounds.add(new ArrayList<>());
                }
                rounds.get(round).add(i);
            } catch (IdempotencyKeyException e) {
                results.set(i, new DedupResult.Rejected<>(e));
            }
        }
        if (rounds.isEmpty()) {
            return results;
        }
        boolean[] ran = new boolean[1];
        boolean committed;
        try {
            committed = scope.run(tx -> {
                for (List<Integer> round : rounds) {
                    if (!runRound(tx, round, requests, messages, handler, results, ran)) {
                        return Decision.rollback(false);
                    }
                }
                return Decision.commit(true);
            });
        } catch (DedupStoreUnavailableException e) {
            for (List<Integer> round : rounds) {
                for (int i : round) {
                    results.set(i, new DedupResult.Unavailable<>(Optional.of(requests[i].key()), e, ran[0]));
                }
            }
            return results;
        }
        if (!committed) {
            for (List<Integer> round : rounds) {
                for (int i : round) {
                    results.set(i, process(messages.get(i), handler));
                }
            }
        }
        return results;
    }

    /** Claims one round (distinct keys), runs the acquired handlers, completes them; false to roll back. */
    private boolean runRound(
            StoreTransaction tx,
            List<Integer> round,
            ClaimRequest[] requests,
            List<? extends M> messages,
            TransactionalHandler<? super M> handler,
            List<DedupResult<Void>> results,
            boolean[] ran) {
        List<ClaimRequest> claims = new ArrayList<>(round.size());
        for (int i : round) {
            claims.add(requests[i]);
        }
        List<ClaimResult> claimed = tx.claimAll(claims);
        Connection connection = connectionOf(tx);
        List<Completion> completions = new ArrayList<>();
        List<Integer> completed = new ArrayList<>();
        for (int r = 0; r < round.size(); r++) {
            int i = round.get(r);
            if (!(claimed.get(r) instanceof ClaimResult.Acquired acquired)) {
                results.set(i, settled(claimed.get(r)));
                continue;
            }
            TransactionContext context = new TransactionContext(connection, acquired.claim());
            ran[0] = true;
            try {
                handler.handle(messages.get(i), context);
            } catch (Exception e) {
                return false;
            }
            completions.add(completion(acquired, context));
            completed.add(i);
            results.set(i, new DedupResult.Processed<>(acquired.claim(), null));
        }
        List<WriteResult> written = tx.completeAll(completions);
        for (WriteResult w : written) {
            if (w != WriteResult.APPLIED) {
                return false;
            }
        }
        return true;
    }

    private Decision<DedupResult<Void>> runAndComplete(
            StoreTransaction tx, ClaimResult.Acquired acquired, M message, TransactionalHandler<? super M> handler) {
        TransactionContext context = new TransactionContext(connectionOf(tx), acquired.claim());
        try {
            handler.handle(message, context);
        } catch (Exception e) {
            return Decision.rollback(
                    new DedupResult.Failed<>(acquired.key(), Optional.of(acquired.claim()), e, 1, false));
        }
        WriteResult written =
                tx.completeAll(List.of(completion(acquired, context))).get(0);
        if (written != WriteResult.APPLIED) {
            return Decision.rollback(new DedupResult.Fenced<>(acquired.claim(), null));
        }
        return Decision.commit(new DedupResult.Processed<>(acquired.claim(), null));
    }

    private Completion completion(ClaimResult.Acquired acquired, TransactionContext context) {
        return new Completion(
                acquired.key(), acquired.claim().token(), OutcomeStatus.SUCCEEDED, context.outcome(), retention);
    }

    private static Connection connectionOf(StoreTransaction tx) {
        return tx.resource(Connection.class)
                .orElseThrow(() -> new IllegalStateException("the store's transaction has no JDBC connection"));
    }

    private static DedupResult<Void> settled(ClaimResult claim) {
        if (claim instanceof ClaimResult.Duplicate duplicate) {
            return new DedupResult.Duplicate<>(duplicate.key(), duplicate.outcome());
        }
        if (claim instanceof ClaimResult.InProgress inProgress) {
            return new DedupResult.InProgress<>(inProgress.key(), inProgress.leaseUntil());
        }
        if (claim instanceof ClaimResult.Conflict conflict) {
            return new DedupResult.Conflict<>(conflict.key());
        }
        ClaimResult.Failed failed = (ClaimResult.Failed) claim;
        if (failed.cause() instanceof DedupStoreCorruptionException corrupt) {
            return new DedupResult.Rejected<>(corrupt);
        }
        DedupStoreUnavailableException cause = failed.cause() instanceof DedupStoreUnavailableException u
                ? u
                : new DedupStoreUnavailableException(failed.cause().getMessage(), failed.cause());
        return new DedupResult.Unavailable<>(Optional.of(failed.key()), cause, false);
    }

    /**
     * The key {@code message} is claimed under.
     *
     * @throws IdempotencyKeyException if it has none or it cannot be read
     */
    public DedupKey keyOf(M message) {
        Optional<String> raw = keys.extract(Objects.requireNonNull(message, "message"));
        if (raw.isEmpty() || raw.get().isEmpty()) {
            throw new IdempotencyKeyMissingException((raw.isEmpty() ? "no idempotency key" : "empty idempotency key")
                    + " (namespace " + namespace + ")");
        }
        return digestAllKeys ? DedupKey.digestOf(namespace, raw.get()) : DedupKey.of(namespace, raw.get());
    }

    private ClaimRequest requestFor(DedupKey key, M message) {
        if (fingerprint == null) {
            return new ClaimRequest(key, lease, retention, Optional.empty());
        }
        byte[] payload = fingerprint.apply(message);
        return new ClaimRequest(key, lease, retention, Optional.of(payload == null ? "null" : sha256(payload)));
    }

    /** The same fingerprint {@link DedupConsumer} stores: SHA-256, base64url without padding. */
    private static String sha256(byte[] payload) {
        try {
            return Base64.getUrlEncoder()
                    .withoutPadding()
                    .encodeToString(MessageDigest.getInstance("SHA-256").digest(payload));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }

    public JdbcDedupStore store() {
        return store;
    }

    public String namespace() {
        return namespace;
    }

    /**
     * Configures a {@link TransactionalDedup}. Each setter checks its argument. Not thread-safe; what it builds is.
     */
    public static final class Builder<M> {
        private final JdbcDedupStore store;
        private final KeyExtractor<? super M> keys;
        private String namespace = DedupConsumer.DEFAULT_NAMESPACE;
        private Duration retention = DedupConsumer.DEFAULT_RETENTION;
        private Duration lease = DedupConsumer.DEFAULT_LEASE;
        private Function<? super M, byte[]> fingerprint;
        private boolean digestAllKeys;
        private TransactionRunner runner;

        private Builder(JdbcDedupStore store, KeyExtractor<? super M> keys) {
            this.store = store;
            this.keys = keys;
        }

        /** What keys are unique within. Default {@value DedupConsumer#DEFAULT_NAMESPACE}. */
        public Builder<M> namespace(String namespace) {
            Objects.requireNonNull(namespace, "namespace");
            if (namespace.isEmpty() || namespace.length() > DedupKey.MAX_NAMESPACE_LENGTH) {
                throw new IllegalArgumentException(
                        "namespace must be 1 to " + DedupKey.MAX_NAMESPACE_LENGTH + " characters");
            }
            this.namespace = namespace;
            return this;
        }

        /** How long completed keys are remembered. Default 24 h. */
        public Builder<M> retention(Duration retention) {
            this.retention = positive(retention, "retention");
            return this;
        }

        /**
         * The lease written with each claim. Inside a transaction the row lock, not the lease, keeps others out; the
         * lease matters only to leased-mode consumers sharing the table. Default 5 min.
         */
        public Builder<M> lease(Duration lease) {
            this.lease = positive(lease, "lease");
            return this;
        }

        /** Store the SHA-256 of this payload with each claim; a key reused for other content is a conflict. */
        public Builder<M> fingerprint(Function<? super M, byte[]> payload) {
            this.fingerprint = Objects.requireNonNull(payload, "payload");
            return this;
        }

        /** Store every key as its SHA-256 digest. Default: only keys longer than 128 bytes. */
        public Builder<M> digestAllKeys(boolean digestAllKeys) {
            this.digestAllKeys = digestAllKeys;
            return this;
        }

        /** Run in the application's transactions instead of the store's own. */
        public Builder<M> transactionRunner(TransactionRunner runner) {
            this.runner = Objects.requireNonNull(runner, "runner");
            return this;
        }

        public TransactionalDedup<M> build() {
            return new TransactionalDedup<>(this);
        }

        private static Duration positive(Duration value, String name) {
            Objects.requireNonNull(value, name);
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, got " + value);
            }
            return value;
        }
    }
}
