package io.dedup.chaos;

/**
 * The pace of a poll, how long a fault is held, or a handler's simulated work: never a stand-in for waiting on a
 * condition. Stateless; thread-safe.
 */
final class Pause {
    private Pause() {}

    /**
     * Sleeps {@code millis}.
     *
     * @throws IllegalStateException if interrupted (the interrupt flag is set again): the consumer is closing, and the
     *     work in hand must not go on as if it had paused
     */
    static void millis(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
