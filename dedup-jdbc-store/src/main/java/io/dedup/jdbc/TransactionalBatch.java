package io.dedup.jdbc;

import io.dedup.Claim;
import io.dedup.ClaimedBatch;
import io.dedup.DedupConsumer;
import io.dedup.DedupKey;
import io.dedup.DedupResult;
import io.dedup.DedupStoreUnavailableException;
import io.dedup.IdempotencyKeyException;
import io.dedup.LeaseLostException;
import io.dedup.OutcomeCodecs;
import io.dedup.jdbc.TransactionScope.Decision;
import io.dedup.spi.StoreTransaction;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One transaction over a batch of messages, for {@link TransactionalDedup}: one claim statement through core's
 * batch API, the handlers in list order on the transaction's connection, one completion statement, one commit.
 * Any handler failure rolls the whole transaction back, so that no handler's writes commit without its key's
 * completion, and the other way round. Thread-safe (stateless between calls).
 *
 * @param <M> the message type
 */
final class TransactionalBatch<M> {
    /** One transaction's answer; not committed when a handler failed or a lease was lost (it was rolled back). */
    record Attempt(List<DedupResult<Void>> results, boolean committed) {}

    /** Core's consumer: keys, claims through the batch API, outcomes, metrics. */
    private final DedupConsumer<M> dedup;
    /** The store's own transactions or the application's. */
    private final TransactionScope scope;

    TransactionalBatch(DedupConsumer<M> dedup, TransactionScope scope) {
        this.dedup = dedup;
        this.scope = scope;
    }

    /**
     * Runs {@code messages} in one transaction. Never throws for store trouble: when the store cannot answer,
     * every message's result is {@link DedupResult.Unavailable}, saying whether any handler ran (then the fate of
     * its writes is known only to the database: a redelivery finds out).
     *
     * @throws Error whatever {@code Error} a handler threw, unchanged, after the transaction was rolled back
     */
    Attempt run(List<? extends M> messages, TransactionalHandler<? super M> handler) {
        // Set by runAll: whether any handler started, which decides whether an Unavailable answer may hide effects.
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
            // The claim of some key failed: committing would complete the others while that one's fate is unknown.
            if (entry.result() instanceof DedupResult.Unavailable<?>) {
                return false;
            }
            if (!entry.mayRun()) {
                continue;
            }
            // Asked once and only when a handler runs: a batch of duplicates never needs the connection.
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

    /** One result with its handler result dropped; the cast is safe for the variants that carry none. */
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
}
