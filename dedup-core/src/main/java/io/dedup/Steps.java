package io.dedup;

import io.dedup.internal.CurrentClaim;
import java.util.Objects;

/**
 * Checkpointed steps inside a handler: a named step runs at most once per key and step name within the retention,
 * its result is stored, and a re-run of the handler after a crash returns the stored result instead of running the
 * step again. So a handler that charges a card and then ships an order repeats, after a crash, only the step that
 * was in flight when it died, not the charge that had already been recorded.
 *
 * <pre>{@code
 * DedupResult<Void> result = dedup.process(order, o -> {
 *     String chargeId = Steps.run("charge", OutcomeCodecs.utf8(), () -> gateway.charge(o));
 *     Steps.run("ship", () -> warehouse.ship(o, chargeId));
 *     return null;
 * }, OutcomeCodecs.none(), true);
 * }</pre>
 *
 * <p><b>How a step runs (leased mode).</b> A step is recorded under a key derived from the message's key and the
 * step's name, in the same store and namespace. Its record is written only while the handler's claim is current:
 * before the step runs and again before its result is recorded, its claim's fencing token is checked, so a worker
 * whose lease was taken over neither starts a step nor records one ({@link LeaseLostException}). A worker that took
 * the key over takes over a step that the dead worker left unfinished at once, without waiting for a lease. A step
 * that throws records nothing: the exception travels on and the handler's failure path applies (the key is
 * released; a later attempt replays the steps recorded before it and runs the failed step again). The steps of a
 * completed key never run again, because its handler does not.
 *
 * <p><b>Transactional modes.</b> Under {@code TransactionalDedup} (a claim in a store transaction) steps are not
 * needed: the handler's database writes, its key and its offsets commit together or not at all. There a step runs
 * directly and records nothing, so that a rolled-back transaction cannot leave a step recorded whose writes are gone.
 * Under a batch for commit ({@link DedupConsumer#claimAllForCommit}, Kafka's transactional producer) the claim is a
 * leased one and steps are recorded as in leased mode; keep the producer's sends out of steps there (a step's record
 * survives an aborted producer transaction, its sends do not).
 *
 * <p><b>Unguarded runs.</b> When the store is down and the consumer is configured fail-open, the handler runs
 * unguarded and its steps run directly, unrecorded. Outside a handler run by dedup a step is refused with {@link
 * IllegalStateException}, so a step can never run unprotected by mistake.
 *
 * <p>What repeats after each kind of crash is listed in {@code docs/guarantees.md}. Metrics: {@code
 * dedup.steps{result=run|replayed|direct|failed|fenced}}.
 *
 * <p>Thread-safe: a step runs on the thread of the handler that calls it (the claim is the calling thread's).
 */
public final class Steps {
    /** The longest step name accepted. */
    public static final int MAX_NAME_LENGTH = 200;

    private Steps() {}

    /** A step that computes a result, which is stored through a codec. */
    @FunctionalInterface
    public interface Action<R> {
        /** @throws Exception whatever the step throws; nothing is recorded then */
        R run() throws Exception;
    }

    /** A step without a result. */
    @FunctionalInterface
    public interface Effect {
        /** @throws Exception whatever the step throws; nothing is recorded then */
        void run() throws Exception;
    }

    /**
     * Runs the named step once for the current handler's key, or returns its recorded result when an earlier attempt
     * at this key recorded it. On the first run the step's own result is returned; on a replay, the result decoded
     * from the stored bytes.
     *
     * @param name the step's name, unique within the handler; 1 to {@value #MAX_NAME_LENGTH} characters
     * @param codec turns the step's result into stored bytes and back; never Java serialization
     * @param action the step
     * @return the step's result, run now or replayed
     * @throws LeaseLostException if the handler's claim was taken over by another worker before the step ran or
     *     before its result was recorded (the step's result is then not recorded)
     * @throws DedupStoreUnavailableException if the store could not answer; the step's result is then not recorded
     * @throws KeyInProgressException if the step's record stayed held by another run after repeated take-overs
     * @throws IllegalStateException if called outside a handler run by dedup, or while a step of the same name is
     *     already running under this claim
     * @throws IllegalArgumentException if the name is empty or too long
     * @throws Exception whatever the step throws, unchanged
     */
    public static <R> R run(String name, OutcomeCodec<R> codec, Action<? extends R> action) throws Exception {
        checkName(name);
        Objects.requireNonNull(codec, "codec");
        Objects.requireNonNull(action, "action");
        CurrentClaim.Frame frame = CurrentClaim.frame();
        if (frame == null) {
            throw new IllegalStateException("step '" + name + "' called outside a handler run by dedup: steps are"
                    + " recorded under the claim of the handler that runs them (process, processAll, a batch's run)");
        }
        return frame.step(name, codec, action);
    }

    /**
     * Runs the named step once for the current handler's key; does nothing when an earlier attempt at this key
     * recorded it. See {@link #run(String, OutcomeCodec, Action)}.
     *
     * @throws LeaseLostException if the handler's claim was taken over before the step ran or was recorded
     * @throws DedupStoreUnavailableException if the store could not answer
     * @throws KeyInProgressException if the step's record stayed held by another run after repeated take-overs
     * @throws IllegalStateException if called outside a handler run by dedup, or re-entered under the same name
     * @throws IllegalArgumentException if the name is empty or too long
     * @throws Exception whatever the step throws, unchanged
     */
    public static void run(String name, Effect effect) throws Exception {
        Objects.requireNonNull(effect, "effect");
        run(name, OutcomeCodecs.<Void>none(), () -> {
            effect.run();
            return null;
        });
    }

    private static void checkName(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty() || name.length() > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException(
                    "name must be 1 to " + MAX_NAME_LENGTH + " characters, got " + name.length());
        }
    }
}
