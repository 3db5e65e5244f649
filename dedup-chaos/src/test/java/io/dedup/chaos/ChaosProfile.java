package io.dedup.chaos;

import java.time.Duration;

/**
 * How big each scenario runs: {@code ci} (default, every scenario small, inside {@code ./mvnw verify}) or {@code
 * full} ({@code -Dchaos.profile=full}). Seeds are fixed per scenario so that a failure replays; {@code
 * -Dchaos.seed=N} overrides them all.
 *
 * @param name ci or full
 * @param keys distinct keys of an ordinary scenario
 * @param bounceKeys distinct keys of the random-bounce scenario (three bounces in each fifth of the run)
 * @param handlerMillis how long a handler works (so that kills land inside handlers)
 * @param faultRounds how many times a scenario repeats its fault
 * @param drainTimeout how long draining may take after the faults
 */
record ChaosProfile(String name, int keys, int bounceKeys, long handlerMillis, int faultRounds, Duration drainTimeout) {
    static final ChaosProfile CI = new ChaosProfile("ci", 120, 300, 15, 2, Duration.ofSeconds(90));
    static final ChaosProfile FULL = new ChaosProfile("full", 3000, 5000, 10, 6, Duration.ofMinutes(10));

    static ChaosProfile current() {
        String name = System.getProperty("chaos.profile", "ci");
        return switch (name) {
            case "", "ci" -> CI;
            case "full" -> FULL;
            default -> throw new IllegalArgumentException("chaos.profile must be ci or full, got " + name);
        };
    }

    /** The scenario's seed: {@code -Dchaos.seed} when given, else fixed per scenario name. */
    static long seedFor(String scenario) {
        String given = System.getProperty("chaos.seed", "");
        if (!given.isBlank()) {
            return Long.parseLong(given.trim());
        }
        return 1_000_003L * scenario.hashCode() + 42;
    }
}
