package io.dedup.spring.autoconfigure;

import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code dedup.observation.*}: whether each message gets a Micrometer Observation. On by default because it costs
 * nothing without an {@code ObservationRegistry} bean (the no-op registry is used then).
 *
 * <p>Immutable and thread-safe; bound by Spring through its constructor.
 *
 * @param enabled Whether each message gets a Micrometer Observation "dedup.message" with its dedup.outcome
 */
public record DedupObservationProperties(@DefaultValue("true") boolean enabled) {}
