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
    private KillPoint armed;
    private int remaining;
    private CountDownLatch release = new CountDownLatch(0);

    PointGate(PrintStream out) {
        this.out = out;
    }

    synchronized void arm(KillPoint point, int nth) {
        armed = point;
        remaining = nth;
        release = new CountDownLatch(1);
    }

    void release() {
        CountDownLatch latch;
        synchronized (this) {
            latch = release;
            armed = null;
        }
        latch.countDown();
    }

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

    void say(String line) {
        synchronized (out) {
            out.println(line);
            out.flush();
        }
    }
}
