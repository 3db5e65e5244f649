package io.dedup.jdbc;

import io.dedup.DedupConsumer;
import io.dedup.DedupConsumerBuilder;
import io.dedup.DedupKey;
import io.dedup.DedupResult;
import io.dedup.DedupSettings;
import io.dedup.KeyExtractor;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
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
    private final TransactionalBatch<M> batches;

    private TransactionalDedup(Builder<M> builder) {
        this.store = builder.store;
        // Inside a transaction the row lock keeps others out, not the lease: nothing to renew.
        this.dedup = builder.core
                .settings(DedupSettings.from(builder.settings)
                        .leaseRenewalFraction(0)
                        .build())
                .build();
        this.batches = new TransactionalBatch<>(dedup, new TransactionScope(builder.store, builder.runner));
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
        return batches.run(List.of(message), handler).results().get(0);
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
        TransactionalBatch.Attempt attempt = batches.run(messages, handler);
        if (attempt.committed() || messages.size() == 1) {
            return attempt.results();
        }
        // The rolled-back transaction left nothing behind, so the messages it answered Released, Failed or Fenced
        // (the failing one and its innocent neighbours) run again, each alone; duplicates, conflicts and rejected
        // messages keep their answers, which did not depend on the rollback.
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

    /**
     * The key {@code message} is claimed under.
     *
     * @throws IdempotencyKeyException if it has none or it cannot be read
     */
    public DedupKey keyOf(M message) {
        return dedup.keyOf(Objects.requireNonNull(message, "message"));
    }

    /** The store the transactions run on. */
    public JdbcDedupStore store() {
        return store;
    }

    /** What keys are unique within, as configured. */
    public String namespace() {
        return dedup.namespace();
    }

    /**
     * Configures a {@link TransactionalDedup}. Each setter checks its argument. Not thread-safe; what it builds is.
     */
    public static final class Builder<M> {
        private final JdbcDedupStore store;
        /** Holds and checks every setting this builder shares with core's consumer builder. */
        private final DedupConsumerBuilder<M> core;

        private DedupSettings settings = DedupSettings.ofDefaults();
        private TransactionRunner runner;

        private Builder(JdbcDedupStore store, KeyExtractor<? super M> keys) {
            this.store = store;
            this.core = DedupConsumer.<M>builder(keys).store(store);
        }

        /**
         * What keys are unique within. Default {@value DedupConsumer#DEFAULT_NAMESPACE}.
         *
         * @throws IllegalArgumentException if empty or longer than {@value DedupKey#MAX_NAMESPACE_LENGTH}
         *     characters
         */
        public Builder<M> namespace(String namespace) {
            core.namespace(namespace);
            return this;
        }

        /**
         * Retention, lease, policies and key digests. Default {@link DedupSettings#ofDefaults()}. The lease is the one
         * written with each claim: inside a transaction the row lock, not the lease, keeps others out, so the lease
         * matters only to leased-mode consumers sharing the table, and lease renewal is always off here.
         *
         * @throws NullPointerException if {@code settings} is null
         */
        public Builder<M> settings(DedupSettings settings) {
            this.settings = Objects.requireNonNull(settings, "settings");
            return this;
        }

        /** Store the SHA-256 of this payload with each claim; a key reused for other content is a conflict. */
        public Builder<M> fingerprint(Function<? super M, byte[]> payload) {
            core.fingerprint(payload);
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
            core.meterRegistry(meterRegistry);
            return this;
        }

        /** The transactional dedup; it is thread-safe. */
        public TransactionalDedup<M> build() {
            return new TransactionalDedup<>(this);
        }
    }
}
