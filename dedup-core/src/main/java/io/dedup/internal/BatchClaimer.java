package io.dedup.internal;

import io.dedup.DedupKey;
import io.dedup.DedupResult;
import io.dedup.DedupStoreCorruptionException;
import io.dedup.DedupStoreException;
import io.dedup.DedupStoreUnavailableException;
import io.dedup.IdempotencyKeyException;
import io.dedup.internal.BatchEntry.State;
import io.dedup.internal.DedupMetrics.Result;
import io.dedup.spi.ClaimRequest;
import io.dedup.spi.ClaimResult;
import io.dedup.spi.StoreTransaction;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Makes a {@link DedupBatch}: each message's key, the repeats of a key within the batch (claimed once), the wait
 * behind an earlier batch of the same pipeline ({@link DedupEngine#claimAllBehind}), the completions an outage left
 * over, then one claim round trip, and each entry set up by its answer.
 *
 * <p>Thread-safe: no state of its own; each call makes its own batch.
 */
final class BatchClaimer<M> {
    private final DedupEngine<M> engine;
    private final MessageKeys<M> keys;
    private final StoreCalls store;
    private final PendingCompletions pending;

    BatchClaimer(DedupEngine<M> engine, MessageKeys<M> keys, StoreCalls store, PendingCompletions pending) {
        this.engine = engine;
        this.keys = keys;
        this.store = store;
        this.pending = pending;
    }

    /**
     * Claims {@code messages} in one round trip; with {@code behind}, only once that batch settled the keys both
     * share. A key repeated in the batch is claimed once; its later entries are settled by the first ({@code
     * settleRepeats}: also when the first did not complete, as released).
     */
    DedupBatch<M> claim(
            List<? extends M> messages,
            BatchKind kind,
            StoreTransaction transaction,
            boolean settleRepeats,
            DedupBatch<M> behind) {
        int n = messages.size();
        DedupBatch<M> batch = new DedupBatch<>(engine, kind, transaction, n, settleRepeats);
        List<ClaimRequest> requests = new ArrayList<>(n);
        List<BatchEntry<M>> claimed = new ArrayList<>(n);
        Map<DedupKey, Integer> first = n > 1 ? new HashMap<>(n * 2) : null;
        Map<DedupKey, ClaimRequest> firstRequests = n > 1 ? new HashMap<>(n * 2) : null;
        for (int i = 0; i < n; i++) {
            M message = messages.get(i);
            DedupKey key;
            try {
                key = keys.keyOf(message);
            } catch (IdempotencyKeyException e) {
                engine.metrics().result(Result.NO_KEY);
                batch.add(message, null, -1).rejected(new DedupResult.Rejected<>(e));
                continue;
            }
            ClaimRequest request = keys.requestFor(key, message);
            Integer earlier = first == null ? null : first.putIfAbsent(key, i);
            if (earlier != null && firstRequests.get(key).fingerprint().equals(request.fingerprint())) {
                batch.add(message, key, earlier);
            } else {
                // a repeat with another payload is claimed in its own right, after its first in the same round
                // trip: the store answers it as a conflict (or as whatever matches its payload)
                claimed.add(batch.add(message, key, -1));
                requests.add(request);
                if (earlier == null && firstRequests != null) {
                    firstRequests.put(key, request);
                }
            }
        }
        if (requests.isEmpty()) {
            return batch;
        }
        if (behind != null) {
            behind.awaitSettled(requests);
        }
        if (kind != BatchKind.STORE_TRANSACTION) {
            pending.flush(); // completions kept from an outage first: their keys may be claimed again right here
        }
        List<ClaimResult> claims;
        long askedAt = System.nanoTime(); // the leases granted count from before the round trip
        try {
            claims = claimRound(requests, transaction);
            if (claims.size() != requests.size()) {
                throw new DedupStoreUnavailableException(
                        "store " + engine.settings().store().describe() + " answered " + claims.size() + " results for "
                                + requests.size() + " claims");
            }
        } catch (DedupStoreUnavailableException e) {
            for (BatchEntry<M> item : claimed) {
                unavailable(item, e);
            }
            return batch;
        }
        List<BatchEntry<M>> acquired = new ArrayList<>(claims.size());
        for (int r = 0; r < claims.size(); r++) {
            if (claimed(batch, claimed.get(r), claims.get(r))) {
                acquired.add(claimed.get(r));
            }
        }
        if (kind != BatchKind.STORE_TRANSACTION && !acquired.isEmpty()) {
            // every held lease is renewed from now on, not only while its own handler runs: the claims at the end of
            // a long batch would otherwise lapse while they wait their turn, and be taken over
            List<io.dedup.Claim> held = new ArrayList<>(acquired.size());
            acquired.forEach(item -> held.add(item.claim));
            List<LeaseRenewer.Ticket> tickets = engine.registerAll(held, askedAt);
            for (int i = 0; i < tickets.size(); i++) {
                acquired.get(i).ticket = tickets.get(i);
            }
        }
        return batch;
    }

    private List<ClaimResult> claimRound(List<ClaimRequest> requests, StoreTransaction transaction) {
        if (transaction != null) {
            try {
                return transaction.claimAll(requests);
            } catch (DedupStoreException e) {
                throw DedupEngine.asUnavailable(e);
            } catch (RuntimeException e) {
                throw new DedupStoreUnavailableException("store transaction failed to claim: " + e, e);
            }
        }
        if (requests.size() == 1) {
            try {
                return List.of(store.claim(requests.get(0)));
            } catch (DedupStoreCorruptionException e) {
                // answered as in a batch, so one unreadable record dead-letters its own message and nothing else
                return List.of(new ClaimResult.Failed(requests.get(0).key(), e));
            }
        }
        return store.claimAll(requests);
    }

    /**
     * The claim answered for {@code item}; called once per claimed item before the batch is handed out. True when the
     * key was acquired: its lease is then to be renewed.
     */
    private boolean claimed(DedupBatch<M> batch, BatchEntry<M> item, ClaimResult claim) {
        if (claim instanceof ClaimResult.Acquired acquired) {
            item.claim = acquired.claim();
            item.state = State.ACQUIRED;
            batch.acquired();
            return true;
        }
        batch.settle(item, engine.settled(claim));
        if (item.result instanceof DedupResult.Unavailable<?>) {
            item.state = State.UNAVAILABLE;
        }
        return false;
    }

    /** The store could not answer the claim at all. */
    private void unavailable(BatchEntry<M> item, DedupStoreUnavailableException cause) {
        item.state = State.UNAVAILABLE;
        item.result = new DedupResult.Unavailable<>(Optional.ofNullable(item.key), cause, false);
        engine.metrics().result(Result.UNAVAILABLE);
    }
}
