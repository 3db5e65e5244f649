package io.dedup.chaos;

import java.util.Locale;

/**
 * The places in a message's path where the chaos consumer can be made to stop, so that a kill lands exactly there.
 * Each one is a boundary of DESIGN §2: a kill at it tests what the guarantees promise for a death on that side of
 * the boundary (for example, after {@link #AFTER_COMPLETE} the redelivery must be answered as a duplicate, G5).
 * Immutable; thread-safe.
 */
public enum KillPoint {
    /** The key was claimed; the handler has not started its work. */
    AFTER_CLAIM,
    /** The handler logged its invocation and has not written its effect. */
    MID_HANDLER,
    /** The effect is written (leased mode: committed; transactional mode: not yet committed), not completed. */
    AFTER_EFFECT,
    /** The store recorded the key as completed (transactional mode: committed); the delivery is not acked. */
    AFTER_COMPLETE;

    /** The name used on the command line and in the stdout protocol, e.g. {@code after-claim}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** @throws IllegalArgumentException if {@code label} names no point */
    public static KillPoint of(String label) {
        return valueOf(label.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    }
}
