package io.dedup.chaos;

/**
 * The pace of a poll, how long a fault is held, or a handler's simulated work: never a stand-in for waiting on a
 * condition.
 */
final class Pause {
    private Pause() {}

    static void millis(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
