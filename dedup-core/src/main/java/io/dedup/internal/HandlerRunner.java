package io.dedup.internal;

import io.dedup.Claim;
import io.dedup.LeaseLostException;
import io.dedup.OutcomeCodec;
import io.dedup.ResultHandler;

/**
 * Runs a handler under its claim: makes the claim current for the handler's {@link io.dedup.Steps}, retries a failing
 * handler in process as configured, times each attempt, and encodes the result.
 *
 * <p>Thread-safe: immutable; the current claim is per thread.
 */
final class HandlerRunner<M> {
    private final EngineSettings<M> settings;
    private final StepRecorder steps;
    private final DedupMetrics metrics;

    HandlerRunner(EngineSettings<M> settings, StepRecorder steps, DedupMetrics metrics) {
        this.settings = settings;
        this.steps = steps;
        this.metrics = metrics;
    }

    /**
     * Runs the handler under its claim, with the configured in-process attempts. Errors pass through unchanged. Its
     * steps are recorded under the claim when {@code recordSteps}, else they run directly (in a store transaction).
     */
    <R> HandlerRun<R> run(
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
                    // no further attempt once the lease is lost: the new holder runs the key, and a completion
                    // under this claim would be refused anyway
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
        return error instanceof LeaseLostException lost
                && lost.token() == claim.token()
                && lost.key().equals(claim.key());
    }
}
