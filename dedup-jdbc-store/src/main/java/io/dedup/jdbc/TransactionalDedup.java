package io.dedup.jdbc;

import io.dedup.Claim;
import io.dedup.ClaimedBatch;
import io.dedup.DedupConsumer;
import io.dedup.DedupKey;
import io.dedup.DedupResult;
import io.dedup.DedupSettings;
import io.dedup.DedupStoreUnavailableException;
import io.dedup.IdempotencyKeyException;
import io.dedup.KeyExtractor;
import io.dedup.LeaseLostException;
import io.dedup.OutcomeCodecs;
import io.dedup.jdbc.TransactionScope.Decision;
import io.dedup.spi.StoreTransaction;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
 * <p>A handler that throws an {@link Error} ({@code AssertionError}, {@code StackOverflowError}) rolls the
 * transaction back, with the writes of the handlers that ran before it in the batch: nothing of it commits, no key
 * is left in progress, the connection goes back to its pool, and the {@code Error} is rethrown unchanged.
 *
 * <p>By default each message runs in a transaction on a connection of the store's data source; with {@link
 * Builder#transactionRunner} it runs in transactions the application manages (Spring's {@code
 * TransactionTemplate}, for instance). Claims, completions and metrics go through core's batch API ({@link
 * DedupConsumer#claimAll(List, StoreTransaction)}), as in every other mode. Thread-safe.
 *
 * @param <M> the message type
 */
public final class TransactionalDedup<M> {
    private final JdbcDedupStore store;
    private final DedupConsumer<M> dedup;
    private final TransactionScope scope;

    private TransactionalDedup(Builder<M> builder) {
        this.store = builder.store;
        DedupConsumer.Builder<M> core = DedupConsumer.<M>builder(builder.keys)
                .store(builder.store)
                .namespace(builder.namespace)
                .settings(builder.settings.build())
                .leaseRenewalFraction(0); // inside a transaction the row lock keeps others out, not the lease
        if (builder.fingerprint != null) {
            core.fingerprint(builder.fingerprint);
        }
        if (builder.meterRegistry != null) {
            core.meterRegistry(builder.meterRegistry);
        }
        this.dedup = core.build();
        this.scope = new TransactionScope(builder.store, builder.runner);
    }

    /** A builder over {@code store}, finding each message's key with {@code keys}. */
    public static <M> Builder<M> builder(JdbcDedupStore store, KeyExtractor<? super M> keys) {
        return new Builder<>(Objects.requireNonNull(store, "store"), Objects.requireNonNull(keys, "keys"));
    }

    /**
     * Runs {@code handler} for {@code message} unless its key completed before, in one transaction with the claim
     * and the completion. Never throws for store trouble or a failing handler: the answer says what happened.
     *
     * @throws Error whatever {@code Error} the handler threw, unchanged, after the transaction was rolled back
     */
    public DedupResult<Void> process(M message, TransactionalHandler<? super M> handler) {
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(handler, "handler");
        return inOneTransaction(List.of(message), handler).results().get(0);
    }

    /**
     * Processes a batch in one transaction: one claim statement, the handlers in list order, one completion
     * statement, one commit. A key repeated in the batch is a duplicate of its first occurrence. If any handler
     * throws, the whole transaction rolls back and each message of the batch is then processed on its own, so that
     * only the failing ones fail. One result per message, in order.
     *
     * @throws Error whatever {@code Error} a handler threw, unchanged, after the transaction was rolled back
     */
    public List<DedupResult<Void>> processAll(List<? extends M> messages, TransactionalHandler<? super M> handler) {
        Objects.requireNonNull(messages, "messages");
        Objects.requireNonNull(handler, "handler");
        messages.forEach(m -> Objects.requireNonNull(m, "messages must not contain null"));
        Attempt attempt = inOneTransaction(messages, handler);
        if (attempt.committed() || messages.size() == 1) {
            return attempt.results();
        }
        List<DedupResult<Void>> results = new ArrayList<>(attempt.results());
        for (int i = 0; i < results.size(); i++) {
            if (results.get(i) instanceof DedupResult.Released<?>
                    || results.get(i) instanceof DedupResult.Failed<?>
                    || results.get(i) instanceof DedupResult.Fenced<?>) {
                results.set(i, process(messages.get(i), handler));
            }
        }
        return results;
    }

    /** One transaction's answer; not committed when a handler failed or a lease was lost (it was rolled back). */
    private record Attempt(List<DedupResult<Void>> results, boolean committed) {}

    private Attempt inOneTransaction(List<? extends M> messages, TransactionalHandler<? super M> handler) {
        boolean[] ran = new boolean[1];
        try {
            return scope.run(tx -> {
                ClaimedBatch<M> batch = dedup.claimAll(messages, tx);
                try (batch) {
                    if (!runAll(batch, tx, handler, ran)) {
                        batch.close(); // rolls the transaction back
                        return Decision.rollback(new Attempt(voided(batch.results()), false));
                    }
                    batch.commit(() -> {});
                    return Decision.commit(new Attempt(voided(batch.results()), true));
                } catch (LeaseLostException e) { // nothing committed; the batch rolled the transaction back
                    return Decision.rollback(new Attempt(fenced(batch.results(), e), false));
                } catch (RuntimeException e) {
                    throw e;
                } catch (Exception e) { // commit(...) declares it; the empty action throws nothing
                    throw new IllegalStateException(e);
                }
            });
        } catch (DedupStoreUnavailableException e) {
            List<DedupResult<Void>> unavailable = new ArrayList<>(messages.size());
            for (M message : messages) {
                Optional<DedupKey> key;
                try {
                    key = Optional.of(dedup.keyOf(message));
                } catch (IdempotencyKeyException noKey) {
                    unavailable.add(new DedupResult.Rejected<>(noKey));
                    continue;
                }
                unavailable.add(new DedupResult.Unavailable<>(key, e, ran[0]));
            }
            return new Attempt(unavailable, false);
        }
    }

    /** Runs every acquired entry in order; false (roll back) when one failed or the store did not answer. */
    private boolean runAll(
            ClaimedBatch<M> batch, StoreTransaction tx, TransactionalHandler<? super M> handler, boolean[] ran) {
        Connection connection = null;
        for (ClaimedBatch.Entry<M> entry : batch.entries()) {
            if (entry.result() instanceof DedupResult.Unavailable<?>) {
                return false;
            }
            if (!entry.mayRun()) {
                continue;
            }
            if (connection == null) {
                connection = tx.resource(Connection.class)
                        .orElseThrow(() -> new IllegalStateException("the store's transaction has no JDBC connection"));
            }
            Connection onIt = connection;
            Claim claim = entry.claim().orElseThrow();
            ran[0] = true;
            DedupResult<byte[]> failed = batch.run(
                    entry,
                    message -> {
                        TransactionContext context = new TransactionContext(onIt, claim);
                        handler.handle(message, context);
                        return context.outcome();
                    },
                    OutcomeCodecs.bytes());
            if (failed != null) {
                return false; // its writes are in the transaction: roll it all back
            }
        }
        return true;
    }

    /** The batch's results as this API's: a handler's result is its outcome bytes, which callers do not see. */
    private static List<DedupResult<Void>> voided(List<DedupResult<?>> results) {
        List<DedupResult<Void>> voided = new ArrayList<>(results.size());
        for (DedupResult<?> result : results) {
            voided.add(voided(result));
        }
        return voided;
    }

    @SuppressWarnings("unchecked")
    private static DedupResult<Void> voided(DedupResult<?> result) {
        if (result instanceof DedupResult.Processed<?> processed) {
            return new DedupResult.Processed<>(processed.claim(), null);
        }
        if (result instanceof DedupResult.Fenced<?> fenced) {
            return new DedupResult.Fenced<>(fenced.claim(), null);
        }
        if (result instanceof DedupResult.Unguarded<?> unguarded) {
            return new DedupResult.Unguarded<>(unguarded.key(), null, unguarded.cause());
        }
        return (DedupResult<Void>) result; // the other variants carry no handler result
    }

    /** After a lost lease rolled the transaction back: that key's message was fenced, the others released. */
    private static List<DedupResult<Void>> fenced(List<DedupResult<?>> results, LeaseLostException lost) {
        List<DedupResult<Void>> answered = voided(results);
        for (int i = 0; i < answered.size(); i++) {
            if (answered.get(i) instanceof DedupResult.Released<Void> released
                    && released.claim().key().equals(lost.key())) {
                answered.set(i, new DedupResult.Fenced<>(released.claim(), null));
            }
        }
        return answered;
    }

    /**
     * The key {@code message} is claimed under.
     *
     * @throws IdempotencyKeyException if it has none or it cannot be read
     */
    public DedupKey keyOf(M message) {
        return dedup.keyOf(Objects.requireNonNull(message, "message"));
    }

    public JdbcDedupStore store() {
        return store;
    }

    public String namespace() {
        return dedup.namespace();
    }

    /**
     * Configures a {@link TransactionalDedup}. Each setter checks its argument. Not thread-safe; what it builds is.
     */
    public static final class Builder<M> {
        private final JdbcDedupStore store;
        private final KeyExtractor<? super M> keys;
        private String namespace = DedupConsumer.DEFAULT_NAMESPACE;
        private DedupSettings.Builder settings = DedupSettings.custom();
        private Function<? super M, byte[]> fingerprint;
        private TransactionRunner runner;
        private Object meterRegistry;

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

        /**
         * Lease, retention, policies and key digests, all at once; the setters below change single values of the same
         * settings. Lease renewal is always off here (the row lock keeps others out). Default {@link
         * DedupSettings#ofDefaults()}.
         */
        public Builder<M> settings(DedupSettings settings) {
            this.settings = DedupSettings.from(settings);
            return this;
        }

        /** How long completed keys are remembered. Default 24 h. */
        public Builder<M> retention(Duration retention) {
            settings.retention(retention);
            return this;
        }

        /**
         * The lease written with each claim. Inside a transaction the row lock, not the lease, keeps others out; the
         * lease matters only to leased-mode consumers sharing the table. Default 30 s ({@link
         * DedupConsumer#DEFAULT_LEASE}).
         */
        public Builder<M> lease(Duration lease) {
            settings.lease(lease);
            return this;
        }

        /** Store the SHA-256 of this payload with each claim; a key reused for other content is a conflict. */
        public Builder<M> fingerprint(Function<? super M, byte[]> payload) {
            this.fingerprint = Objects.requireNonNull(payload, "payload");
            return this;
        }

        /** Store every key as its SHA-256 digest. Default: only keys longer than 128 bytes. */
        public Builder<M> digestAllKeys(boolean digestAllKeys) {
            settings.digestAllKeys(digestAllKeys);
            return this;
        }

        /** Run in the application's transactions instead of the store's own. */
        public Builder<M> transactionRunner(TransactionRunner runner) {
            this.runner = Objects.requireNonNull(runner, "runner");
            return this;
        }

        /**
         * Publish core's metrics ({@code dedup.results}, {@code dedup.store.*}, the handler timer) to this Micrometer
         * {@code MeterRegistry}, tagged with the namespace. Typed as Object so that Micrometer stays optional.
         *
         * @throws IllegalArgumentException if it is not a {@code io.micrometer.core.instrument.MeterRegistry}
         */
        public Builder<M> meterRegistry(Object meterRegistry) {
            DedupConsumer.builder(keys).meterRegistry(meterRegistry); // checks it now, naming the parameter
            this.meterRegistry = meterRegistry;
            return this;
        }

        /**
         * @throws IllegalArgumentException if the lease is longer than the retention
         */
        public TransactionalDedup<M> build() {
            return new TransactionalDedup<>(this);
        }
    }
}
