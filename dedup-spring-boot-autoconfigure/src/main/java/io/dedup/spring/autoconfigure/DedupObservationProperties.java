package io.dedup.spring.autoconfigure;

/**
 * {@code dedup.observation.*}: whether each message gets a Micrometer Observation. On by default because it costs
 * nothing without an {@code ObservationRegistry} bean (the no-op registry is used then).
 *
 * <p>Not thread-safe while Spring binds it; read-only afterwards.
 */
public class DedupObservationProperties {
    /** Whether each message gets a Micrometer Observation "dedup.message" with its dedup.outcome. */
    private boolean enabled = true;

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }
}
