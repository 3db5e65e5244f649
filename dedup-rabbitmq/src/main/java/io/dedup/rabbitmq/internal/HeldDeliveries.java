package io.dedup.rabbitmq.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Deliveries a pipeline keeps unacked until their verdict's delay is over, earliest due first: deferrals and retries
 * when there is no retry queue, and deliveries whose republishing was not confirmed. They stay in the prefetch
 * window meanwhile, which is what keeps the broker from sending the same message again in a tight loop; when due
 * they are brought back through the work queue by {@link BatchSettler#redeliver}, except dead letters the broker did
 * not take, which are published again to the dead-letter destination.
 *
 * <p>Due times are {@link System#nanoTime()} values, so a wall-clock jump neither releases nor strands them.
 *
 * <p>Not thread-safe: owned by one pipeline's worker thread.
 */
final class HeldDeliveries {
    private record Held(Verdict verdict, long dueNanos) {}

    private final PriorityQueue<Held> queue = new PriorityQueue<>((a, b) -> Long.compare(a.dueNanos, b.dueNanos));

    /** Holds {@code verdict}'s delivery for its {@link Verdict#delay()} from {@code nowNanos}. */
    void hold(Verdict verdict, long nowNanos) {
        queue.add(new Held(verdict, nowNanos + verdict.delay().toNanos()));
    }

    boolean isEmpty() {
        return queue.isEmpty();
    }

    int size() {
        return queue.size();
    }

    /** When the earliest held delivery is due; only while not {@link #isEmpty()}. */
    long nextDueNanos() {
        return queue.peek().dueNanos;
    }

    /**
     * Takes the deliveries due at {@code nowNanos}. Those from an older channel generation are dropped on the way:
     * their tags died with that channel and the broker redelivers them by itself.
     */
    List<Verdict> takeDue(long nowNanos, long generation) {
        List<Verdict> due = new ArrayList<>();
        while (!queue.isEmpty() && queue.peek().dueNanos - nowNanos <= 0) {
            Held next = queue.poll();
            if (next.verdict.delivery().generation() == generation) {
                due.add(next.verdict);
            }
        }
        return due;
    }

    /** Forgets every delivery not of {@code generation}: the channel they came on was replaced. */
    void keepOnly(long generation) {
        queue.removeIf(held -> held.verdict.delivery().generation() != generation);
    }

    /** Takes every held delivery, due or not. */
    List<PendingDelivery> drain() {
        List<PendingDelivery> all = new ArrayList<>(queue.size());
        queue.forEach(held -> all.add(held.verdict.delivery()));
        queue.clear();
        return all;
    }
}
