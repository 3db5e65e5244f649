package io.dedup.internal;

import io.dedup.Claim;
import io.dedup.DedupKey;
import io.dedup.DedupResult;
import io.dedup.DedupStoreCorruptionException;
import io.dedup.DedupStoreException;
import io.dedup.DedupStoreUnavailableException;
import io.dedup.IdempotencyKeyException;
import io.dedup.IdempotencyKeyMissingException;
import io.dedup.OutcomeCodec;
import io.dedup.RawKey;
import io.dedup.ResultHandler;
import io.dedup.internal.DedupMetrics.Result;
import io.dedup.spi.ClaimRequest;
import io.dedup.spi.ClaimResult;
import io.dedup.spi.Completion;
import io.dedup.spi.StoreTransaction;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Claim, run, complete: the services behind {@link DedupBatch}, the one claim path, and the two ways of processing
 * built on it ({@link #process} one message, {@link #processAll} a list).
 *
 * <p>Thread-safe: all state lives in the store, in per-call batches, and in the thread-safe lease renewer and
 * pending completions.
 */
public final class DedupEngine<M> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DedupEngine.class);

    private final EngineSettings<M> settings;
    private final DedupMetrics metrics;
    private final StoreCalls store;
    private final LeaseRenewer renewer;
    private final PendingCompletions pending;
    private final HeldKeys held;
    private final CompletionWriter writer;
    private final StepRecorder steps;
    private final StoreWrites writes;

    public DedupEngine(EngineSettings<M> settings) {
        this.settings = settings;
        this.metrics = settings.metrics();
        this.store = new StoreCalls(settings.store(), metrics);
        this.renewer = settings.renewFraction() > 0 && settings.renewFraction() < 1
                ? new LeaseRenewer(store, settings.lease(), settings.renewFraction(), metrics)
                : null;
        this.pending = new PendingCompletions(store, renewer, settings.lease().toNanos(), metrics);
        this.held = new HeldKeys(metrics);
        this.writer = new CompletionWriter(this);
        this.steps = new StepRecorder(store, settings.lease(), settings.retention(), metrics);
        this.writes = new StoreWrites(settings, store, metrics);
    }

    /** Completions, releases and failed marks written after a claim, outside a store transaction. */
    StoreWrites writes() {
        return writes;
    }

    CompletionWriter writer() {
        return writer;
    }

    public EngineSettings<M> settings() {
        return settings;
    }

    DedupMetrics metrics() {
        return metrics;
    }

    // ---------------------------------------------------------------- keys

    /** The message's key as stored. @throws IdempotencyKeyException if it has none or it cannot be read */
    public DedupKey keyOf(M message) {
        Optional<RawKey> raw;
        try {
            raw = settings.keyExtractor().extractRaw(message);
        } catch (IdempotencyKeyException e) {
            throw withSource(e, message);
        }
        if (raw.isEmpty() || raw.get().isEmpty()) {
            throw new IdempotencyKeyMissingException((raw.isEmpty() ? "no idempotency key" : "empty idempotency key")
                    + " in " + settings.describer().apply(message) + " (namespace " + settings.namespace() + ")");
        }
        RawKey key = raw.get();
        if (key.isBinary()) { // its own stored space (#bin:), never a text key's (DESIGN §8)
            return settings.digestAllKeys()
                    ? DedupKey.digestOfBytes(settings.namespace(), key.bytes())
                    : DedupKey.ofBytes(settings.namespace(), key.bytes());
        }
        return settings.digestAllKeys()
                ? DedupKey.digestOf(settings.namespace(), key.text())
                : DedupKey.of(settings.namespace(), key.text());
    }

    private IdempotencyKeyException withSource(IdempotencyKeyException e, M message) {
        String source = settings.describer().apply(message);
        if (e.getMessage() != null && e.getMessage().contains(source)) {
            return e;
        }
        return e instanceof IdempotencyKeyMissingException
                ? new IdempotencyKeyMissingException(e.getMessage() + " in " + source)
                : new io.dedup.IdempotencyKeyUnreadableException(e.getMessage() + " in " + source, e);
    }

    private ClaimRequest requestFor(DedupKey key, M message) {
        if (settings.fingerprintPayload() == null) {
            return new ClaimRequest(key, settings.lease(), settings.retention(), Optional.empty());
        }
        byte[] payload = settings.fingerprintPayload().apply(message);
        String fingerprint = payload == null ? "null" : Sha256.base64url(Sha256.of(payload));
        return new ClaimRequest(key, settings.lease(), settings.retention(), Optional.of(fingerprint));
    }

    // ---------------------------------------------------------------- the one claim path

    /** A leased batch: see {@link io.dedup.ClaimedBatch}. */
    public DedupBatch<M> claimAll(List<? extends M> messages) {
        return claim(messages, DedupBatch.Kind.LEASED, null, true);
    }

    /** A batch whose work commits in a transaction of the caller's. */
    public DedupBatch<M> claimAllForCommit(List<? extends M> messages) {
        return claim(messages, DedupBatch.Kind.FOR_COMMIT, null, true);
    }

    /** A batch claimed, completed and committed in {@code transaction}. */
    public DedupBatch<M> claimAll(List<? extends M> messages, StoreTransaction transaction) {
        return claim(messages, DedupBatch.Kind.STORE_TRANSACTION, transaction, true);
    }

    /**
     * Claims in one round trip. A key repeated in the batch is claimed once; its later entries are settled by the
     * first ({@code settleRepeats}: also when the first did not complete, as released).
     */
    private DedupBatch<M> claim(
            List<? extends M> messages, DedupBatch.Kind kind, StoreTransaction transaction, boolean settleRepeats) {
        int n = messages.size();
        DedupBatch<M> batch = new DedupBatch<>(this, kind, transaction, n, settleRepeats);
        List<ClaimRequest> requests = new ArrayList<>(n);
        List<BatchEntry<M>> claimed = new ArrayList<>(n);
        Map<DedupKey, Integer> first = n > 1 ? new HashMap<>(n * 2) : null;
        Map<DedupKey, ClaimRequest> firstRequests = n > 1 ? new HashMap<>(n * 2) : null;
        for (int i = 0; i < n; i++) {
            M message = messages.get(i);
            DedupKey key;
            try {
                key = keyOf(message);
            } catch (IdempotencyKeyException e) {
                metrics.result(Result.NO_KEY);
                batch.add(message, null, -1).rejected(new DedupResult.Rejected<>(e));
                continue;
            }
            ClaimRequest request = requestFor(key, message);
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
        if (kind != DedupBatch.Kind.STORE_TRANSACTION) {
            pending.flush(); // completions kept from an outage first: their keys may be claimed again right here
        }
        List<ClaimResult> claims;
        try {
            claims = claimRound(requests, transaction);
            if (claims.size() != requests.size()) {
                throw new DedupStoreUnavailableException(
                        "store " + settings.store().describe() + " answered " + claims.size() + " results for "
                                + requests.size() + " claims");
            }
        } catch (DedupStoreUnavailableException e) {
            for (BatchEntry<M> item : claimed) {
                batch.unavailable(item, e);
            }
            return batch;
        }
        for (int r = 0; r < claims.size(); r++) {
            batch.claimed(claimed.get(r), claims.get(r));
        }
        return batch;
    }

    private List<ClaimResult> claimRound(List<ClaimRequest> requests, StoreTransaction transaction) {
        if (transaction != null) {
            try {
                return transaction.claimAll(requests);
            } catch (DedupStoreException e) {
                throw asUnavailable(e);
            } catch (RuntimeException e) {
                throw new DedupStoreUnavailableException("store transaction failed to claim: " + e, e);
            }
        }
        if (requests.size() == 1) {
            try {
                return List.of(store.claim(requests.get(0)));
            } catch (DedupStoreCorruptionException e) {
                return List.of(new ClaimResult.Failed(requests.get(0).key(), e));
            }
        }
        return store.claimAll(requests);
    }

    // ---------------------------------------------------------------- built on it

    public <R> DedupResult<R> process(
            M message,
            ResultHandler<? super M, ? extends R> handler,
            OutcomeCodec<? super R> codec,
            boolean finalAttempt) {
        return this.<R>processAll(List.of(message), handler, codec, finalAttempt)
                .get(0);
    }

    /**
     * Processes a list with one claim round trip and one completion round trip; handlers run in list order. A key
     * repeated in the list is answered by its first occurrence: a duplicate when it was processed, otherwise claimed
     * again after it (one more round trip), so that a repeat of a failed message gets its own attempt.
     */
    @SuppressWarnings("unchecked")
    public <R> List<DedupResult<R>> processAll(
            List<? extends M> messages,
            ResultHandler<? super M, ? extends R> handler,
            OutcomeCodec<? super R> codec,
            boolean finalAttempt) {
        DedupBatch<M> batch = claim(messages, DedupBatch.Kind.LEASED, null, false);
        List<io.dedup.ClaimedBatch.Entry<M>> entries = batch.entries();
        try (batch) {
            for (int i = 0, n = entries.size(); i < n; i++) {
                io.dedup.ClaimedBatch.Entry<M> entry = entries.get(i);
                if (entry.mayRun() || ((BatchEntry<M>) entry).lostBeforeRun()) {
                    batch.run(entry, handler, codec, finalAttempt);
                }
            }
            batch.complete();
        }
        List<DedupResult<?>> settled = batch.results();
        List<DedupResult<R>> results = new ArrayList<>(settled.size());
        List<Integer> again = null;
        for (int i = 0, n = settled.size(); i < n; i++) { // each the result of this handler, or none of it
            DedupResult<?> result = settled.get(i);
            if (result == null) {
                if (again == null) {
                    again = new ArrayList<>();
                }
                again.add(results.size());
            }
            results.add((DedupResult<R>) result);
        }
        if (again != null) {
            List<M> repeats = new ArrayList<>(again.size());
            for (int i : again) {
                repeats.add(messages.get(i));
            }
            List<DedupResult<R>> repeated = processAll(repeats, handler, codec, finalAttempt);
            for (int k = 0; k < again.size(); k++) {
                results.set(again.get(k), repeated.get(k));
            }
        }
        return results;
    }

    // ---------------------------------------------------------------- services of the batch

    LeaseRenewer.Ticket register(Claim claim) {
        return renewer == null ? null : renewer.register(claim);
    }

    /** A handler run: its result and encoded body, or its last error. */
    static final class HandlerRun<R> {
        R result;
        byte[] body;
        Exception error;
        int attempts;
    }

    /**
     * Runs the handler under its claim, with the configured in-process attempts. Errors pass through unchanged. Its
     * steps are recorded under the claim when {@code recordSteps}, else they run directly (in a store transaction).
     */
    <R> HandlerRun<R> runHandler(
            M message,
            Claim claim,
            ResultHandler<? super M, ? extends R> handler,
            OutcomeCodec<? super R> codec,
            LeaseRenewer.Ticket ticket,
            boolean recordSteps) {
        HandlerRun<R> run = new HandlerRun<>();
        CurrentClaim.Frame previous = CurrentClaim.set(claim, recordSteps ? steps : null, ticket, metrics);
        try {
            int max = settings.handlerAttempts();
            for (int i = 1; i <= max; i++) {
                run.attempts = i;
                long start = metrics.timed() ? System.nanoTime() : 0;
                try {
                    R result = handler.handle(message);
                    run.body = codec.encode(result);
                    run.result = result;
                    run.error = null;
                    if (metrics.timed()) {
                        metrics.handler(System.nanoTime() - start, false);
                    }
                    break;
                } catch (Exception e) {
                    run.error = e;
                    if (metrics.timed()) {
                        metrics.handler(System.nanoTime() - start, true);
                    }
                    if (i < max && !(ticket != null && ticket.lost()) && !lostBy(e, claim)) {
                        StoreWrites.sleep(settings.retryBackoff().toMillis() * i);
                    } else {
                        break;
                    }
                }
            }
        } finally {
            CurrentClaim.restore(previous);
        }
        return run;
    }

    /** The handler failed because its claim was taken over (a step found it out): another attempt is pointless. */
    static boolean lostBy(Exception error, Claim claim) {
        return error instanceof io.dedup.LeaseLostException lost
                && lost.token() == claim.token()
                && lost.key().equals(claim.key());
    }

    <R> DedupResult<R> processed(Claim claim, Object result) {
        metrics.result(Result.PROCESSED);
        @SuppressWarnings("unchecked")
        R typed = (R) result;
        return new DedupResult.Processed<>(claim, typed);
    }

    <R> DedupResult<R> notStarted(Claim claim) {
        metrics.result(Result.RELEASED);
        return new DedupResult.Released<>(claim);
    }

    /** The result of a claim that was not acquired. */
    <R> DedupResult<R> settled(ClaimResult claim) {
        if (claim instanceof ClaimResult.Duplicate duplicate) {
            metrics.result(Result.DUPLICATE);
            return new DedupResult.Duplicate<>(duplicate.key(), duplicate.outcome());
        }
        if (claim instanceof ClaimResult.InProgress inProgress) {
            metrics.result(Result.IN_PROGRESS);
            held.held(inProgress.key(), inProgress.holderToken(), inProgress.leaseUntil());
            return new DedupResult.InProgress<>(inProgress.key(), inProgress.leaseUntil());
        }
        if (claim instanceof ClaimResult.Conflict conflict) {
            metrics.result(Result.CONFLICT);
            return new DedupResult.Conflict<>(conflict.key());
        }
        ClaimResult.Failed failed = (ClaimResult.Failed) claim;
        if (failed.cause() instanceof DedupStoreCorruptionException corrupt) {
            metrics.result(Result.CORRUPT);
            return new DedupResult.Rejected<>(corrupt);
        }
        metrics.result(Result.UNAVAILABLE);
        return new DedupResult.Unavailable<>(Optional.of(failed.key()), asUnavailable(failed.cause()), false);
    }

    void warnUnguarded(DedupStoreUnavailableException e) {
        LOG.warn(
                "store unavailable, running a handler of namespace {} unguarded (fail-open): {}",
                settings.namespace(),
                e.toString());
    }

    static DedupStoreUnavailableException asUnavailable(DedupStoreException cause) {
        return cause instanceof DedupStoreUnavailableException u
                ? u
                : new DedupStoreUnavailableException(cause.getMessage(), cause);
    }

    /** Keeps a completion the store did not take; the background task writes it. */
    void pending(Claim claim, Completion completion, LeaseRenewer.Ticket ticket) {
        pending.add(claim, completion, ticket);
    }

    /** Pending completions, for tests. */
    int pendingCompletions() {
        return pending.size();
    }

    @Override
    public void close() {
        writer.close();
        pending.close();
        if (renewer != null) {
            renewer.close();
        }
        if (settings.ownsStore()) {
            settings.store().close();
        }
    }
}
