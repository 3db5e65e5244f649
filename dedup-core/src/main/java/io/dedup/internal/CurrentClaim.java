package io.dedup.internal;

import io.dedup.Claim;

/** The claim under which the current thread's handler runs; see {@link Claim#current()}. */
public final class CurrentClaim {
    private static final ThreadLocal<Claim> CURRENT = new ThreadLocal<>();

    private CurrentClaim() {}

    public static Claim get() {
        return CURRENT.get();
    }

    /** Sets the claim and returns the one it replaces, to restore after (handlers may nest). */
    public static Claim set(Claim claim) {
        Claim previous = CURRENT.get();
        CURRENT.set(claim);
        return previous;
    }

    public static void restore(Claim previous) {
        if (previous == null) {
            CURRENT.remove();
        } else {
            CURRENT.set(previous);
        }
    }
}
