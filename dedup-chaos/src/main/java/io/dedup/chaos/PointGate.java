package io.dedup.chaos;

import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;

/**
 * Holds the consumer at a {@link KillPoint} when the test asked for it: the n-th time a key passes the armed point,
 * the gate prints {@code AT <point> <key>} and blocks that thread until released (or forever, until the process is
 * killed). Thread-safe.
 */
final class PointGate {
    private final PrintStream out;
    /** The point the test armed, or null; guarded by this. */
    private KillPoint armed;
    /** How many more passes of the armed point to let through before holding one; guarded by this. */
    private int remaining;
    /** Opened by {@link #release()}; a new one per arming, so an old release never frees a later hold. */
    private CountDownLatch release = new CountDownLatch(0);

    PointGate(PrintStream out) {
        this.out = out;
    }

    /** Holds the {@code nth} pass of {@code point} from now on (1: the next one); replaces an earlier arming. */
    synchronized void arm(KillPoint point, int nth) {
        armed = point;
        remaining = nth;
        release = new CountDownLatch(1);
    }

    /** Lets a held thread go on and disarms the gate. */
    void release() {
        CountDownLatch latch;
        synchronized (this) {
            latch = release;
            armed = null;
        }
        latch.countDown();
    }

    /**
     * Called by the consumer as {@code key} passes {@code point}: returns at once unless this is the armed pass, which
     * announces itself on the output (the test waits for that line, then kills, stops or releases) and blocks until
     * {@link #release()} or the process dies.
     */
    void hit(KillPoint point, String key) {
        CountDownLatch latch;
        synchronized (this) {
            if (armed != point || --remaining > 0) {
                return;
            }
            armed = null;
            latch = release;
            say("AT " + point.label() + " " + key);
        }
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Prints one protocol line to the parent; lines of concurrent threads never interleave. */
    void say(String line) {
        synchronized (out) {
            out.println(line);
            out.flush();
        }
    }
}
