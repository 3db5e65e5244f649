package io.dedup.spring.observation;

import io.dedup.DedupResult;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import java.util.Locale;

/**
 * One Micrometer {@link Observation} per message, named {@value #NAME}, with the low-cardinality key {@value
 * #OUTCOME} ({@code processed}, {@code duplicate}, {@code in_progress}, {@code conflict}, {@code failed}, {@code
 * fenced}, {@code released}, {@code rejected}, {@code unavailable}, {@code unguarded}) and {@value #DESTINATION}
 * (the topic or queue). Started on the listener's thread, it is a child of the listener container's own observation
 * when the application enabled those, so that a trace shows a suppressed duplicate under its delivery.
 *
 * <p>Thread-safe.
 */
public final class DedupOutcomes {
    /** The observation's name. */
    public static final String NAME = "dedup.message";
    /** Low-cardinality key: what dedup did with the message. */
    public static final String OUTCOME = "dedup.outcome";
    /** Low-cardinality key: the topic or queue. */
    public static final String DESTINATION = "dedup.destination";

    private final ObservationRegistry registry;

    /** @param registry where observations go; {@link ObservationRegistry#NOOP} turns them off */
    public DedupOutcomes(ObservationRegistry registry) {
        this.registry = java.util.Objects.requireNonNull(registry, "registry");
    }

    /** Starts an observation for a message about to be claimed; {@link #stop} it with the result. */
    public Observation start(String destination) {
        return Observation.createNotStarted(NAME, registry)
                .lowCardinalityKeyValue(DESTINATION, destination)
                .start();
    }

    /** Records the outcome and stops the observation; a failure also becomes the observation's error. */
    public static void stop(Observation observation, DedupResult<?> result) {
        observation.lowCardinalityKeyValue(OUTCOME, outcome(result));
        if (result instanceof DedupResult.Failed<?> failed) {
            observation.error(failed.error());
        }
        observation.stop();
    }

    /** The {@value #OUTCOME} value of a result: its kind in snake case. */
    public static String outcome(DedupResult<?> result) {
        if (result == null) {
            return "unknown";
        }
        String name = result.getClass().getSimpleName();
        return name.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
    }
}
