package io.dedup.internal;

import io.dedup.Claim;
import io.dedup.DedupKey;
import io.dedup.DedupResult;
import io.dedup.DedupSettings;
import io.dedup.DedupStoreException;
import io.dedup.DedupStoreUnavailableException;
import io.dedup.IdempotencyKeyException;
import io.dedup.OutcomeCodec;
import io.dedup.ResultHandler;
import io.dedup.internal.DedupMetrics.Result;
import io.dedup.spi.ClaimResult;
import io.dedup.spi.Completion;
import io.dedup.spi.StoreTransaction;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Claim, run, complete: the services behind {@link DedupBatch}, the one claim path, and the two ways of processing
 * built on it ({@link #process} one message, {@link #processAll} a list). It claims batches itself and wires the
 * parts every batch shares: {@link MessageKeys} (message to stored key), {@link HandlerRunner} (a handler's attempts
 * under its claim), {@link ClaimAnswers} (results of claims not granted), the {@link LeaseRenewer}, the {@link
 * CompletionWriter} and the {@link PendingCompletions} that keep completions an outage stranded. Public only for
 * {@code DedupConsumer}; not API.
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
    private final StoreWrites writes;
    private final MessageKeys<M> keys;
    private final HandlerRunner<M> handlers;
    private final ClaimAnswers answers;
    private final SequentialProcessing<M> sequential;
    private final BatchClaimer<M> claimer;

    /** An engine over {@code settings}; its lease renewer and completion writer start on first use. */
    public DedupEngine(EngineSettings<M> settings) {
        this.settings = settings;
        this.metrics = settings.metrics();
        this.store = new StoreCalls(settings.store(), metrics);
        DedupSettings shared = settings.shared();
        this.renewer = shared.leaseRenewalFraction() > 0 && shared.leaseRenewalFraction() < 1
                ? new LeaseRenewer(store, shared.lease(), shared.leaseRenewalFraction(), metrics)
                : null;
        this.pending = new PendingCompletions(store, renewer, shared.lease().toNanos(), metrics);
        this.held = new HeldKeys(metrics);
        this.writer = new CompletionWriter(this);
        this.writes = new StoreWrites(settings, store, metrics);
        this.keys = new MessageKeys<>(settings);
        this.handlers = new HandlerRunner<>(
                settings, new StepRecorder(store, shared.lease(), shared.retention(), metrics), metrics);
        this.answers = new ClaimAnswers(metrics, held);
        this.sequential = new SequentialProcessing<>(this);
        this.claimer = new BatchClaimer<>(this, keys, store, pending);
    }

    /** Completions, releases and failed marks written after a claim, outside a store transaction. */
    StoreWrites writes() {
        return writes;
    }

    /** Writes leased completions as handlers finish, coalesced off their path. */
    CompletionWriter writer() {
        return writer;
    }

    /** The validated configuration this engine runs with. */
    public EngineSettings<M> settings() {
        return settings;
    }

    /** Where results, store calls and handler times are counted (a no-op without Micrometer). */
    DedupMetrics metrics() {
        return metrics;
    }

    /**
     * The message's key as stored.
     *
     * @throws IdempotencyKeyException if it has none or it cannot be read
     */
    public DedupKey keyOf(M message) {
        return keys.keyOf(message);
    }

    // ---------------------------------------------------------------- the one claim path

    /** A leased batch: see {@link io.dedup.ClaimedBatch}. */
    public DedupBatch<M> claimAll(List<? extends M> messages) {
        return claim(messages, BatchKind.LEASED, null, true);
    }

    /**
     * A leased batch claimed behind {@code earlier}, a batch of this engine's that may still be running: a key
     * {@code earlier} claimed is claimed here only once {@code earlier} settled it, so that a pipeline claiming its
     * next batch while the current one runs meets its own claims as completed (duplicates) or released, never as held
     * by someone else.
     */
    public DedupBatch<M> claimAllBehind(List<? extends M> messages, DedupBatch<M> earlier) {
        return claimer.claim(messages, BatchKind.LEASED, null, true, earlier);
    }

    /**
     * {@code batch} as one of this engine's leased batches.
     *
     * @throws IllegalArgumentException if it is not
     */
    public DedupBatch<M> ownLeased(io.dedup.ClaimedBatch<M> batch) {
        if (batch instanceof DedupBatch<M> own && own.engine() == this && own.kind() == BatchKind.LEASED) {
            return own;
        }
        throw new IllegalArgumentException("not a leased batch of this consumer's: " + batch);
    }

    /** A batch whose work commits in a transaction of the caller's. */
    public DedupBatch<M> claimAllForCommit(List<? extends M> messages) {
        return claim(messages, BatchKind.FOR_COMMIT, null, true);
    }

    /** A batch claimed, completed and committed in {@code transaction}. */
    public DedupBatch<M> claimAll(List<? extends M> messages, StoreTransaction transaction) {
        return claim(messages, BatchKind.STORE_TRANSACTION, transaction, true);
    }

    /**
     * Claims in one round trip (see {@link BatchClaimer}). A key repeated in the batch is claimed once; its later
     * entries are settled by the first ({@code settleRepeats}: also when the first did not complete, as released).
     */
    DedupBatch<M> claim(
            List<? extends M> messages, BatchKind kind, StoreTransaction transaction, boolean settleRepeats) {
        return claimer.claim(messages, kind, transaction, settleRepeats, null);
    }

    // ---------------------------------------------------------------- built on it

    /** Processes one message: a list of one, see {@link #processAll}. */
    public <R> DedupResult<R> process(
            M message,
            ResultHandler<? super M, ? extends R> handler,
            OutcomeCodec<? super R> codec,
            boolean finalAttempt) {
        return this.<R>processAll(List.of(message), handler, codec, finalAttempt)
                .get(0);
    }

    /**
     * Processes a list with one claim round trip and one completion round trip; handlers run in list order on the
     * calling thread. See {@link SequentialProcessing#processAll}.
     */
    public <R> List<DedupResult<R>> processAll(
            List<? extends M> messages,
            ResultHandler<? super M, ? extends R> handler,
            OutcomeCodec<? super R> codec,
            boolean finalAttempt) {
        return sequential.processAll(messages, handler, codec, finalAttempt);
    }

    // ---------------------------------------------------------------- services of the batch

    /**
     * Renews each of {@code claims}' leases, asked for at {@code askedAtNanos}, until its ticket is closed: the
     * tickets in order, or none when renewal is off.
     */
    List<LeaseRenewer.Ticket> registerAll(List<Claim> claims, long askedAtNanos) {
        return renewer == null ? List.of() : renewer.registerAll(claims, askedAtNanos);
    }

    /** Runs handlers under their claims. */
    HandlerRunner<M> handlers() {
        return handlers;
    }

    /** The result of a handler whose completion the store recorded, counted. */
    <R> DedupResult<R> processed(Claim claim, Object result) {
        metrics.result(Result.PROCESSED);
        @SuppressWarnings("unchecked")
        R typed = (R) result;
        return new DedupResult.Processed<>(claim, typed);
    }

    /** The result of a key given back unstarted, counted. */
    <R> DedupResult<R> notStarted(Claim claim) {
        metrics.result(Result.RELEASED);
        return new DedupResult.Released<>(claim);
    }

    /** The result of a claim that was not acquired, counted. */
    <R> DedupResult<R> settled(ClaimResult claim) {
        return answers.settled(claim);
    }

    /** Logs a fail-open run at WARN: every message run without a claim must leave a trace (DESIGN §2). */
    void warnUnguarded(DedupStoreUnavailableException e) {
        LOG.warn(
                "store unavailable, running a handler of namespace {} unguarded (fail-open): {}",
                settings.namespace(),
                e.toString());
    }

    /** Any store failure as the one exception adapters act on: see {@link ClaimAnswers#asUnavailable}. */
    static DedupStoreUnavailableException asUnavailable(DedupStoreException cause) {
        return ClaimAnswers.asUnavailable(cause);
    }

    /** Keeps a completion the store did not take; the background task writes it. */
    void pending(Claim claim, Completion completion, LeaseRenewer.Ticket ticket) {
        pending.add(claim, completion, ticket);
    }

    /** Pending completions, for tests. */
    int pendingCompletions() {
        return pending.size();
    }

    /**
     * Writes what the completion writer still holds, makes a last attempt at the pending completions and stops their
     * task, then stops the lease renewer (in that order: a completion not yet written still needs its lease renewed),
     * and closes the store if the engine discovered it itself.
     */
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
