package io.dedup.chaos;

import io.dedup.Claim;
import io.dedup.Steps;
import java.io.IOException;

/**
 * The leased handler's work in two checkpointed steps ({@link Steps}), for the "kill mid-handler with steps" scenario
 * ({@code steps=true}): step "prepare" logs a {@code step-prepare} event (a side effect of its own), step "effect"
 * writes the effect. A kill between the steps ({@link KillPoint#MID_HANDLER}) must repeat neither; a kill inside the
 * effect step after its effect ({@link KillPoint#AFTER_EFFECT}) repeats that step only. Thread-safe.
 */
final class SteppedWork {
    /** The ledger event of the first step. */
    static final String PREPARE_EVENT = "step-prepare";

    private SteppedWork() {}

    /**
     * Runs both steps for {@code claim}. A step's own failure propagates as it is, so the adapter releases the key and
     * the next attempt re-runs only the steps without a record.
     *
     * @throws IOException if a step fails with a checked exception, wrapped
     */
    static void run(Claim claim, PointGate gate, LedgerWriter ledger, long workMillis) throws IOException {
        String key = claim.key().id();
        gate.hit(KillPoint.AFTER_CLAIM, key);
        ledger.invocation(key, claim.token(), "start");
        try {
            Steps.run("prepare", () -> ledger.invocation(key, claim.token(), PREPARE_EVENT));
            gate.hit(KillPoint.MID_HANDLER, key); // between the steps: "prepare" is recorded
            Steps.run("effect", () -> {
                if (workMillis > 0) {
                    Pause.millis(workMillis);
                }
                ledger.effect(key, claim.token());
                gate.hit(KillPoint.AFTER_EFFECT, key); // inside the step: its effect written, its record not
            });
        } catch (RuntimeException | IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e);
        }
    }
}
