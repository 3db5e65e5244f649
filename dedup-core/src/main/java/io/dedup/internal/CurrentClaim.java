package io.dedup.internal;

import io.dedup.Claim;
import io.dedup.OutcomeCodec;
import io.dedup.Steps;
import java.util.HashSet;
import java.util.Set;

/**
 * The claim under which the current thread's handler runs ({@link Claim#current()}), and how its steps ({@link
 * Steps}) run: recorded under that claim, or directly. Public only for {@link Claim} and {@link Steps}; not API.
 *
 * <p>Thread-safe: the current frame is per thread (a handler that hands work to other threads takes no claim with
 * it, so a step there is refused rather than recorded under a claim it cannot see).
 */
public final class CurrentClaim {
    private static final ThreadLocal<Frame> CURRENT = new ThreadLocal<>();

    private CurrentClaim() {}

    /**
     * One handler run: its claim (null when it runs unguarded), the recorder of its steps (null when steps run
     * directly: in a store transaction, or unguarded), its lease ticket (null when not renewed). Confined to the
     * handler's thread but for the names of the steps running, which are guarded.
     */
    public static final class Frame {
        private final Claim claim;
        private final StepRecorder recorder;
        private final LeaseRenewer.Ticket ticket;
        private final DedupMetrics metrics;
        /** Created by the first step, so that handlers without steps pay nothing for it. */
        private Set<String> running;

        Frame(Claim claim, StepRecorder recorder, LeaseRenewer.Ticket ticket, DedupMetrics metrics) {
            this.claim = claim;
            this.recorder = recorder;
            this.ticket = ticket;
            this.metrics = metrics;
        }

        /** Runs a step of this handler: recorded under its claim, or directly. */
        public <R> R step(String name, OutcomeCodec<R> codec, Steps.Action<? extends R> action) throws Exception {
            synchronized (this) {
                if (running == null) {
                    running = new HashSet<>(4);
                }
                if (!running.add(name)) {
                    throw new IllegalStateException("step '" + name + "' is already running under this claim");
                }
            }
            try {
                if (recorder == null) {
                    try {
                        R result = action.run();
                        metrics.step(DedupMetrics.StepResult.DIRECT);
                        return result;
                    } catch (Exception | Error e) {
                        metrics.step(DedupMetrics.StepResult.FAILED);
                        throw e;
                    }
                }
                return recorder.run(claim, ticket, name, codec, action);
            } finally {
                synchronized (this) {
                    running.remove(name);
                }
            }
        }
    }

    /** The claim the current thread's handler runs under, or null outside a guarded handler run. */
    public static Claim get() {
        Frame frame = CURRENT.get();
        return frame == null ? null : frame.claim;
    }

    /** The current handler run, or null outside one. */
    public static Frame frame() {
        return CURRENT.get();
    }

    /**
     * Enters a handler run under {@code claim}; its steps are recorded by {@code recorder}, or run directly when it
     * is null. Returns the frame it replaces, to {@link #restore} after (handlers may nest).
     */
    static Frame set(Claim claim, StepRecorder recorder, LeaseRenewer.Ticket ticket, DedupMetrics metrics) {
        Frame previous = CURRENT.get();
        CURRENT.set(new Frame(claim, recorder, ticket, metrics));
        return previous;
    }

    /** Enters a handler run without a claim (fail-open): {@link Claim#current()} is empty, steps run directly. */
    static Frame setUnguarded(DedupMetrics metrics) {
        return set(null, null, null, metrics);
    }

    /** Leaves a handler run, making {@code previous} (from {@link #set}) current again. */
    static void restore(Frame previous) {
        if (previous == null) {
            CURRENT.remove();
        } else {
            CURRENT.set(previous);
        }
    }
}
