package io.dedup.kafka.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Which partitions the runner keeps paused, and until when: single partitions waiting to retry a record, and all of
 * them while the store is out (an exponential back-off over consecutive outages). Times are {@link System#nanoTime}.
 *
 * <p>Not thread-safe: the poll thread's.
 */
final class PauseSchedule {
    private final long firstBackoff;
    private final long maxBackoff;
    /** Per partition, the {@link System#nanoTime()} its pause ends. */
    private final Map<Object, Long> partitionUntil = new HashMap<>();
    /** When the pause of every partition ends (a store back-off). */
    private long allUntil;
    /** Store outages in a row: the back-off doubles with each. */
    private int outages;

    PauseSchedule(Duration firstBackoff, Duration maxBackoff) {
        this.firstBackoff = firstBackoff.toNanos();
        this.maxBackoff = maxBackoff.toNanos();
    }

    /** Keeps {@code partition} paused for {@code delay}. */
    void pause(Object partition, Duration delay) {
        partitionUntil.put(partition, System.nanoTime() + delay.toNanos());
    }

    /** Pauses everything for the next back-off of a run of outages; returns its length in milliseconds. */
    long backOffAll() {
        outages++;
        long delay = firstBackoff;
        for (int i = 1; i < outages && delay < maxBackoff; i++) {
            delay *= 2;
        }
        delay = Math.min(delay, maxBackoff);
        allUntil = System.nanoTime() + delay;
        return TimeUnit.NANOSECONDS.toMillis(delay);
    }

    /** How many back-offs in a row so far. */
    int outages() {
        return outages;
    }

    /** The run of outages is over. */
    void recovered() {
        outages = 0;
    }

    /**
     * The partitions of {@code assignment} to keep paused now: all of them while {@code everything} or during a
     * back-off, else those still waiting. Forgets waits that are over or of partitions no longer assigned.
     */
    <P> Set<P> paused(Set<P> assignment, boolean everything) {
        long now = System.nanoTime();
        partitionUntil.entrySet().removeIf(e -> !assignment.contains(e.getKey()) || e.getValue() - now <= 0);
        if (everything || allUntil - now > 0) {
            return new HashSet<>(assignment);
        }
        Set<P> paused = new HashSet<>();
        for (P partition : assignment) {
            if (partitionUntil.containsKey(partition)) {
                paused.add(partition);
            }
        }
        return paused;
    }

    /** How long the next poll may wait so that no pause outlasts its end by much: at most {@code limit}. */
    Duration nextPollTimeout(Duration limit) {
        long now = System.nanoTime();
        long wait = limit.toNanos();
        if (allUntil - now > 0) {
            wait = Math.min(wait, allUntil - now);
        }
        for (long until : partitionUntil.values()) {
            wait = Math.min(wait, Math.max(0, until - now));
        }
        return Duration.ofNanos(Math.max(wait, TimeUnit.MILLISECONDS.toNanos(1)));
    }

    /**
     * Makes the consumer's paused set what this schedule wants now ({@link #paused}): pauses what must wait,
     * resumes the rest. Partitions are paused rather than left unpolled because the poll thread must keep polling
     * to stay in the group while handlers run.
     */
    void apply(Consumer<?, ?> consumer, boolean everything) {
        Set<TopicPartition> assignment = consumer.assignment();
        Set<TopicPartition> wanted = paused(assignment, everything);
        Set<TopicPartition> paused = consumer.paused();
        List<TopicPartition> pause = new ArrayList<>();
        for (TopicPartition partition : wanted) {
            if (!paused.contains(partition)) {
                pause.add(partition);
            }
        }
        List<TopicPartition> resume = new ArrayList<>();
        for (TopicPartition partition : paused) {
            if (!wanted.contains(partition) && assignment.contains(partition)) {
                resume.add(partition);
            }
        }
        if (!pause.isEmpty()) {
            consumer.pause(pause);
        }
        if (!resume.isEmpty()) {
            consumer.resume(resume);
        }
    }

    /** Forgets the waits of partitions this consumer gave up. */
    void forget(Iterable<?> partitions) {
        partitions.forEach(partitionUntil::remove);
    }
}
