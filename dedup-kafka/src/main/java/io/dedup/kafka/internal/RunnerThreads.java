package io.dedup.kafka.internal;

import org.slf4j.Logger;

/**
 * The thread a runner's {@code start()} runs its loop on. A loop that ends with an exception (a fenced producer, a
 * fatal consumer error) has closed its runner already; on a thread nobody joins, the exception would vanish, so it is
 * logged as an error, on the runner's own logger.
 *
 * <p>Thread-safe: stateless.
 */
public final class RunnerThreads {
    private RunnerThreads() {}

    /**
     * Starts {@code loop} on a new thread named {@code name}, and returns the thread.
     *
     * @param what how the log names the runner, e.g. {@code dedup Kafka runner of namespace billing}
     */
    public static Thread start(String name, Runnable loop, Logger log, String what) {
        Thread thread = new Thread(
                () -> {
                    try {
                        loop.run();
                    } catch (RuntimeException e) {
                        log.error("{} stopped: {}", what, e.toString(), e);
                    }
                },
                name);
        thread.start();
        return thread;
    }
}
