package io.dedup.chaos;

import io.dedup.Claim;
import java.io.IOException;

/**
 * What every chaos handler does for one key, with the kill points around it: the {@link KillPoint#AFTER_CLAIM}
 * gate, a {@code start} invocation in the ledger, the {@link KillPoint#MID_HANDLER} gate, the configured handler
 * time, the effect, the {@link KillPoint#AFTER_EFFECT} gate. Kafka and RabbitMQ, leased and transactional, run the
 * same sequence, so that a kill point and a ledger line mean the same thing for every consumer. Thread-safe.
 *
 * @param gate where the kill points are hit
 * @param ledger where the invocations and the leased effects are written
 * @param workMillis how long the handler "works" between the start line and the effect: the window a kill or a
 *     SIGSTOP aims for
 * @param steps whether leased handlers run {@link SteppedWork} (named steps, each at most once) instead of one effect
 */
record KeyWork(PointGate gate, LedgerWriter ledger, long workMillis, boolean steps) {
    /** Writes the key's effect: to the ledger on its own (leased) or in the store's transaction. */
    @FunctionalInterface
    interface Effect<E extends Exception> {
        /**
         * Writes the effect of the attempt holding {@code token} on {@code key}.
         *
         * @throws E if the write fails; the handler then fails and the key is released or rolled back
         */
        void write(String key, long token) throws E;
    }

    /** The work {@code settings} configure: {@code handlerMillis} (default 0) and {@code steps}. */
    KeyWork(ConsumerSettings settings, PointGate gate, LedgerWriter ledger) {
        this(gate, ledger, settings.number("handlerMillis", 0), settings.flag("steps"));
    }

    /** A leased handler's work for the current claim: in checkpointed steps when {@code steps=true}. */
    void leased() throws IOException {
        Claim claim = Claim.current().orElseThrow(() -> new IllegalStateException("no claim"));
        if (steps) {
            SteppedWork.run(claim, gate, ledger, workMillis);
            return;
        }
        run(claim.key().id(), claim.token(), ledger::effect);
    }

    /** One pass over {@code key} with {@code token}, its effect written by {@code effect}. */
    <E extends Exception> void run(String key, long token, Effect<E> effect) throws E {
        gate.hit(KillPoint.AFTER_CLAIM, key);
        ledger.invocation(key, token, "start");
        gate.hit(KillPoint.MID_HANDLER, key);
        if (workMillis > 0) {
            Pause.millis(workMillis);
        }
        effect.write(key, token);
        gate.hit(KillPoint.AFTER_EFFECT, key);
    }
}
