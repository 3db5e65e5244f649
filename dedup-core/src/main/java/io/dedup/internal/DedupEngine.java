package io.dedup.internal;

import io.dedup.Claim;
import io.dedup.DedupException;
import io.dedup.DedupKey;
import io.dedup.DedupResult;
import io.dedup.DedupStoreCorruptionException;
import io.dedup.DedupStoreException;
import io.dedup.DedupStoreUnavailableException;
import io.dedup.FailurePolicy;
import io.dedup.IdempotencyKeyException;
import io.dedup.IdempotencyKeyMissingException;
import io.dedup.OutcomeCodec;
import io.dedup.OutcomeStatus;
import io.dedup.ResultHandler;
import io.dedup.StoreUnavailablePolicy;
import io.dedup.internal.DedupMetrics.Result;
import io.dedup.internal.DedupMetrics.StoreOperation;
import io.dedup.spi.ClaimRequest;
import io.dedup.spi.ClaimResult;
import io.dedup.spi.Completion;
import io.dedup.spi.WriteResult;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Claim, run, complete: the path of a message through dedup, one at a time or one batch per round trip.
 *
 * <p>Thread-safe: all state lives in the store and in per-call locals.
 */
public final class DedupEngine<M> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DedupEngine.class);
    private static final int COMPLETION_TRIES = 3;
    private static final long COMPLETION_RETRY_MILLIS = 50;

    private final EngineSettings<M> settings;
    private final DedupMetrics metrics;
    private final StoreCalls store;
    private final LeaseRenewer renewer;
    private final PendingCompletions pending;

    public DedupEngine(EngineSettings<M> settings) {
        this.settings = settings;
        this.metrics = settings.metrics();
        this.store = new StoreCalls(settings.store(), metrics);
        this.renewer = settings.renewFraction() > 0 && settings.renewFraction() < 1
                ? new LeaseRenewer(settings.store(), settings.lease(), settings.renewFraction(), metrics)
                : null;
        this.pending = new PendingCompletions(renewer);
    }

    public EngineSettings<M> settings() {
        return settings;
    }

    // ---------------------------------------------------------------- keys

    /** The message's key as stored. @throws IdempotencyKeyException if it has none or it cannot be read */
    public DedupKey keyOf(M message) {
        Optional<String> raw;
        try {
            raw = settings.keyExtractor().extract(message);
        } catch (IdempotencyKeyException e) {
            throw withSource(e, message);
        }
        if (raw.isEmpty() || raw.get().isEmpty()) {
            throw new IdempotencyKeyMissingException((raw.isEmpty() ? "no idempotency key" : "empty idempotency key")
                    + " in " + settings.describer().apply(message) + " (namespace " + settings.namespace() + ")");
        }
        return settings.digestAllKeys()
                ? DedupKey.digestOf(settings.namespace(), raw.get())
                : DedupKey.of(settings.namespace(), raw.get());
    }

    private IdempotencyKeyException withSource(IdempotencyKeyException e, M message) {
        String source = settings.describer().apply(message);
        if (e.getMessage() != null && e.getMessage().contains(source)) {
            return e;
        }
        IdempotencyKeyException described = e instanceof IdempotencyKeyMissingException
                ? new IdempotencyKeyMissingException(e.getMessage() + " in " + source)
                : new io.dedup.IdempotencyKeyUnreadableException(e.getMessage() + " in " + source, e);
        return described;
    }

    private ClaimRequest requestFor(DedupKey key, M message) {
        if (settings.fingerprintPayload() == null) {
            return new ClaimRequest(key, settings.lease(), settings.retention(), Optional.empty());
        }
        byte[] payload = settings.fingerprintPayload().apply(message);
        String fingerprint = payload == null ? "null" : Sha256.base64url(Sha256.of(payload));
        return new ClaimRequest(key, settings.lease(), settings.retention(), Optional.of(fingerprint));
    }

    // ---------------------------------------------------------------- one message

    public <R> DedupResult<R> process(
            M message,
            ResultHandler<? super M, ? extends R> handler,
            OutcomeCodec<? super R> codec,
            boolean finalAttempt) {
        DedupKey key;
        try {
            key = keyOf(message);
        } catch (IdempotencyKeyException e) {
            metrics.result(Result.NO_KEY);
            return new DedupResult.Rejected<>(e);
        }
        pending.flush(store);
        ClaimResult claim;
        try {
            claim = store.claim(requestFor(key, message));
        } catch (DedupStoreUnavailableException e) {
            return unavailable(message, key, handler, e);
        } catch (DedupStoreCorruptionException e) {
            metrics.result(Result.CORRUPT);
            return new DedupResult.Rejected<>(e);
        }
        if (claim instanceof ClaimResult.Acquired acquired) {
            Attempt<R> attempt = run(message, acquired.claim(), handler, codec);
            if (attempt.error != null) {
                return fail(acquired.claim(), attempt, finalAttempt);
            }
            WriteResult written;
            try {
                written = completeWithRetry(acquired.claim(), attempt);
            } catch (DedupStoreUnavailableException e) {
                pending.add(acquired.claim(), completionOf(acquired.claim(), attempt));
                metrics.result(Result.UNAVAILABLE);
                return new DedupResult.Unavailable<>(Optional.of(key), e, true);
            }
            return completed(acquired.claim(), attempt, written);
        }
        return settled(claim, message, handler);
    }

    // ---------------------------------------------------------------- a batch

    /**
     * Processes a batch with one claim round trip and one completion round trip. Handlers run in list order.
     * A key repeated in the batch is decided after its first occurrence (with one more round trip for the
     * repeats), so repeats are duplicates of the first when it completed.
     */
    public <R> List<DedupResult<R>> processAll(
            List<? extends M> messages,
            ResultHandler<? super M, ? extends R> handler,
            OutcomeCodec<? super R> codec,
            boolean finalAttempt) {
        int n = messages.size();
        List<DedupResult<R>> results = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            results.add(null);
        }
        DedupKey[] keys = new DedupKey[n];
        List<ClaimRequest> requests = new ArrayList<>(n);
        List<Integer> requestIndex = new ArrayList<>(n);
        List<Integer> repeats = new ArrayList<>();
        Map<DedupKey, Integer> first = new HashMap<>(n * 2);
        for (int i = 0; i < n; i++) {
            M message = messages.get(i);
            try {
                keys[i] = keyOf(message);
            } catch (IdempotencyKeyException e) {
                metrics.result(Result.NO_KEY);
                results.set(i, new DedupResult.Rejected<>(e));
                continue;
            }
            if (first.putIfAbsent(keys[i], i) != null) {
                repeats.add(i);
            } else {
                requests.add(requestFor(keys[i], message));
                requestIndex.add(i);
            }
        }
        if (requests.isEmpty() && repeats.isEmpty()) {
            return results;
        }

        pending.flush(store);
        List<ClaimResult> claims;
        try {
            claims = requests.isEmpty() ? List.of() : store.claimAll(requests);
        } catch (DedupStoreUnavailableException e) {
            for (int i = 0; i < n; i++) {
                if (results.get(i) == null) {
                    results.set(i, unavailable(messages.get(i), keys[i], handler, e));
                }
            }
            return results;
        }
        if (claims.size() != requests.size()) {
            throw new DedupStoreUnavailableException("store " + settings.store().describe() + " answered "
                    + claims.size() + " results for " + requests.size() + " claims");
        }

        // Every acquired claim's lease is renewed from now on, not only while its own handler runs: the claims
        // at the end of a long batch would otherwise lapse while they wait their turn, and be taken over.
        LeaseRenewer.Ticket[] tickets = new LeaseRenewer.Ticket[claims.size()];
        if (renewer != null) {
            for (int r = 0; r < claims.size(); r++) {
                if (claims.get(r) instanceof ClaimResult.Acquired acquired) {
                    tickets[r] = renewer.register(acquired.claim());
                }
            }
        }
        List<Completion> completions = new ArrayList<>();
        List<Integer> completionIndex = new ArrayList<>();
        Map<Integer, Attempt<R>> attempts = new HashMap<>();
        Claim[] held = new Claim[n];
        try {
            for (int r = 0; r < claims.size(); r++) {
                int i = requestIndex.get(r);
                ClaimResult claim = claims.get(r);
                if (!(claim instanceof ClaimResult.Acquired acquired)) {
                    results.set(i, settled(claim, messages.get(i), handler));
                    continue;
                }
                held[i] = acquired.claim();
                if (tickets[r] != null && tickets[r].lost()) {
                    // Taken over while waiting its turn: the current holder runs it; never run it twice.
                    tickets[r].close();
                    metrics.result(Result.FENCED);
                    results.set(i, new DedupResult.Fenced<>(acquired.claim(), null));
                    continue;
                }
                Attempt<R> attempt = run(messages.get(i), acquired.claim(), handler, codec, tickets[r], false);
                if (attempt.error != null) {
                    if (tickets[r] != null) {
                        tickets[r].close(); // released next: renewing it would look like a takeover
                    }
                    results.set(i, fail(acquired.claim(), attempt, finalAttempt));
                    continue;
                }
                attempts.put(i, attempt);
                completions.add(new Completion(
                        acquired.claim().key(),
                        acquired.claim().token(),
                        OutcomeStatus.SUCCEEDED,
                        attempt.body,
                        settings.retention()));
                completionIndex.add(i);
            }

            if (!completions.isEmpty()) {
                List<WriteResult> written = completeAllWithRetry(completions);
                for (int c = 0; c < completions.size(); c++) {
                    int i = completionIndex.get(c);
                    WriteResult w = written == null ? null : written.get(c);
                    if (w == null || w instanceof WriteResult.Failed) {
                        DedupStoreUnavailableException cause = w instanceof WriteResult.Failed failed
                                ? asUnavailable(failed.cause())
                                : new DedupStoreUnavailableException("could not record completion in "
                                        + settings.store().describe());
                        pending.add(held[i], completions.get(c));
                        metrics.result(Result.UNAVAILABLE);
                        results.set(i, new DedupResult.Unavailable<>(Optional.of(keys[i]), cause, true));
                    } else {
                        results.set(i, completed(held[i], attempts.get(i), w));
                    }
                }
            }
        } finally {
            for (LeaseRenewer.Ticket ticket : tickets) {
                if (ticket != null) {
                    ticket.close(); // renewed until recorded; an Error mid-batch must not renew keys forever
                }
            }
        }

        if (!repeats.isEmpty()) {
            List<M> again = new ArrayList<>(repeats.size());
            for (int i : repeats) {
                again.add(messages.get(i));
            }
            List<DedupResult<R>> repeated = processAll(again, handler, codec, finalAttempt);
            for (int k = 0; k < repeats.size(); k++) {
                results.set(repeats.get(k), repeated.get(k));
            }
        }
        return results;
    }

    // ---------------------------------------------------------------- shared steps

    /** A handler run: its result and encoded body, or its last error. */
    private static final class Attempt<R> {
        R result;
        byte[] body;
        Exception error;
        int attempts;
        boolean leaseLost;
    }

    private <R> Attempt<R> run(
            M message, Claim claim, ResultHandler<? super M, ? extends R> handler, OutcomeCodec<? super R> codec) {
        return run(message, claim, handler, codec, renewer == null ? null : renewer.register(claim), true);
    }

    /**
     * Runs the handler. Closes {@code ticket} (the claim's lease renewal) when done if {@code closeTicket}; a batch
     * keeps renewing until its completions are recorded.
     */
    private <R> Attempt<R> run(
            M message,
            Claim claim,
            ResultHandler<? super M, ? extends R> handler,
            OutcomeCodec<? super R> codec,
            LeaseRenewer.Ticket ticket,
            boolean closeTicket) {
        Attempt<R> attempt = new Attempt<>();
        Claim previous = CurrentClaim.set(claim);
        try {
            int max = settings.handlerAttempts();
            for (int i = 1; i <= max; i++) {
                attempt.attempts = i;
                long start = metrics.timed() ? System.nanoTime() : 0;
                try {
                    R result = handler.handle(message);
                    attempt.body = codec.encode(result);
                    attempt.result = result;
                    attempt.error = null;
                    if (metrics.timed()) {
                        metrics.handler(System.nanoTime() - start, false);
                    }
                    break;
                } catch (Exception e) {
                    attempt.error = e;
                    if (metrics.timed()) {
                        metrics.handler(System.nanoTime() - start, true);
                    }
                    if (i < max && !(ticket != null && ticket.lost())) {
                        sleep(settings.retryBackoff().toMillis() * i);
                    } else {
                        break;
                    }
                }
            }
        } finally {
            CurrentClaim.restore(previous);
            if (ticket != null) {
                if (closeTicket) {
                    ticket.close();
                }
                attempt.leaseLost = ticket.lost();
            }
        }
        return attempt;
    }

    private <R> DedupResult<R> completed(Claim claim, Attempt<R> attempt, WriteResult written) {
        if (written == WriteResult.APPLIED) {
            metrics.result(Result.PROCESSED);
            return new DedupResult.Processed<>(claim, attempt.result);
        }
        metrics.fenced(StoreOperation.COMPLETE);
        metrics.result(Result.FENCED);
        return new DedupResult.Fenced<>(claim, attempt.result);
    }

    private <R> DedupResult<R> fail(Claim claim, Attempt<R> attempt, boolean finalAttempt) {
        metrics.result(Result.FAILED);
        boolean marked = false;
        try {
            if (finalAttempt && settings.failurePolicy() == FailurePolicy.MARK_FAILED) {
                byte[] reason = describe(attempt.error).getBytes(StandardCharsets.UTF_8);
                marked = store.complete(new Completion(
                                claim.key(), claim.token(), OutcomeStatus.FAILED, reason, settings.retention()))
                        == WriteResult.APPLIED;
            } else if (store.release(claim.key(), claim.token(), settings.retention()) != WriteResult.APPLIED) {
                metrics.fenced(StoreOperation.RELEASE);
            }
        } catch (DedupStoreException e) {
            LOG.warn(
                    "could not release a failed key of namespace {}; it is retried after its lease ends: {}",
                    claim.key().namespace(),
                    e.toString());
        }
        return new DedupResult.Failed<>(claim.key(), Optional.of(claim), attempt.error, attempt.attempts, marked);
    }

    private static String describe(Exception error) {
        String message = error.getMessage();
        String text = error.getClass().getName() + (message == null ? "" : ": " + message);
        return text.length() > 1000 ? text.substring(0, 1000) : text;
    }

    private <R> DedupResult<R> settled(ClaimResult claim, M message, ResultHandler<? super M, ? extends R> handler) {
        if (claim instanceof ClaimResult.Duplicate duplicate) {
            metrics.result(Result.DUPLICATE);
            return new DedupResult.Duplicate<>(duplicate.key(), duplicate.outcome());
        }
        if (claim instanceof ClaimResult.InProgress inProgress) {
            metrics.result(Result.IN_PROGRESS);
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
        return unavailable(message, failed.key(), handler, asUnavailable(failed.cause()));
    }

    private <R> DedupResult<R> unavailable(
            M message, DedupKey key, ResultHandler<? super M, ? extends R> handler, DedupStoreUnavailableException e) {
        if (settings.storeUnavailablePolicy() == StoreUnavailablePolicy.FAIL_CLOSED) {
            metrics.result(Result.UNAVAILABLE);
            return new DedupResult.Unavailable<>(Optional.ofNullable(key), e, false);
        }
        metrics.result(Result.UNGUARDED);
        LOG.warn(
                "store unavailable, running a handler of namespace {} unguarded (fail-open): {}",
                settings.namespace(),
                e.toString());
        try {
            R result = handler.handle(message);
            return new DedupResult.Unguarded<>(Optional.ofNullable(key), result, e);
        } catch (Exception error) {
            return new DedupResult.Failed<>(key, Optional.empty(), error, 1, false);
        }
    }

    private static DedupStoreUnavailableException asUnavailable(DedupStoreException cause) {
        return cause instanceof DedupStoreUnavailableException u
                ? u
                : new DedupStoreUnavailableException(cause.getMessage(), cause);
    }

    private <R> Completion completionOf(Claim claim, Attempt<R> attempt) {
        return new Completion(claim.key(), claim.token(), OutcomeStatus.SUCCEEDED, attempt.body, settings.retention());
    }

    private <R> WriteResult completeWithRetry(Claim claim, Attempt<R> attempt) {
        Completion completion = completionOf(claim, attempt);
        for (int tryNo = 1; ; tryNo++) {
            try {
                WriteResult written = store.complete(completion);
                return tryNo > 1 ? confirmRetried(completion, written) : written;
            } catch (DedupStoreUnavailableException e) {
                if (tryNo >= COMPLETION_TRIES) {
                    throw e;
                }
                sleep(COMPLETION_RETRY_MILLIS * tryNo);
            }
        }
    }

    /** Null when the store stayed unavailable; then every completion counts as not recorded. */
    private List<WriteResult> completeAllWithRetry(List<Completion> completions) {
        for (int tryNo = 1; ; tryNo++) {
            try {
                List<WriteResult> written = store.completeAll(completions);
                if (written.size() != completions.size()) {
                    throw new DedupStoreUnavailableException(
                            "store answered " + written.size() + " results for " + completions.size() + " completions");
                }
                if (tryNo > 1) {
                    List<WriteResult> confirmed = new ArrayList<>(written.size());
                    for (int i = 0; i < written.size(); i++) {
                        confirmed.add(confirmRetried(completions.get(i), written.get(i)));
                    }
                    return confirmed;
                }
                return written;
            } catch (DedupStoreUnavailableException e) {
                if (tryNo >= COMPLETION_TRIES) {
                    LOG.warn("could not record {} completions: {}", completions.size(), e.toString());
                    return null;
                }
                sleep(COMPLETION_RETRY_MILLIS * tryNo);
            }
        }
    }

    /**
     * A retried completion answered FENCED may have taken effect on the earlier try whose answer was lost: the
     * record is then COMPLETED under this very token, which is success, not a lost lease.
     */
    private WriteResult confirmRetried(Completion completion, WriteResult written) {
        if (written != WriteResult.FENCED) {
            return written;
        }
        try {
            return settings.store()
                            .find(completion.key())
                            .filter(r ->
                                    r.state() == io.dedup.spi.RecordState.COMPLETED && r.token() == completion.token())
                            .isPresent()
                    ? WriteResult.APPLIED
                    : written;
        } catch (DedupStoreException e) {
            return written; // cannot tell: fenced is the safe answer (the message is deferred, then a duplicate)
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DedupException("interrupted while waiting to retry", e);
        }
    }

    @Override
    public void close() {
        pending.flush(store);
        pending.clear();
        if (renewer != null) {
            renewer.close();
        }
        if (settings.ownsStore()) {
            settings.store().close();
        }
    }
}
