package io.dedup.kafka.internal;

import io.dedup.kafka.PollOutcome;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Claims the next batch while the current one runs, for a mode that {@link BatchMode#claimsAhead() claims ahead}:
 * the records the poll thread fetched ahead are taken from the {@link FetchBuffer} and claimed on a thread of their
 * own, so that with a remote store the claim round trip overlaps the handlers instead of preceding the next batch.
 *
 * <p>What keeps it safe:
 *
 * <ul>
 *   <li>A claim ahead is made behind the batch in flight ({@link io.dedup.DedupConsumer#claimAllBehind}): it starts
 *       only once that batch's own claim is made, and a key that batch holds is claimed only once it settled there,
 *       so the runner never meets its own keys as held by another consumer.
 *   <li>Nothing claimed ahead starts before the poll thread has settled the batch in flight. When that batch ends in a
 *       rewind, a back-off, a failure, a revocation or the close, the claims ahead are given back unrun ({@link
 *       #giveBack}) and their records go back to the front of the buffer, whence the usual rules (drop and seek)
 *       apply to them as to every record fetched and not claimed.
 *   <li>Claims ahead are renewed from the moment they are made, like every claim of a batch.
 * </ul>
 *
 * <p>Not thread-safe: the poll thread's, apart from the claims themselves, which run on the claim thread.
 */
final class ClaimAhead {
    private static final Logger LOG = LoggerFactory.getLogger(ClaimAhead.class);

    /** Records taken from the buffer and claimed, or being claimed, on the claim thread. */
    private record Ahead(List<ConsumerRecord<byte[], byte[]>> records, FutureTask<BatchMode.Claimed> claimed) {}

    /** The next batch to hand to the handler thread: its records and the task that claims (or has) and runs them. */
    record Next(List<ConsumerRecord<byte[], byte[]>> records, Callable<PollOutcome> task) {}

    private final BatchMode mode;
    /** The claim thread; null when the mode does not claim ahead. */
    private final ExecutorService claimer;
    /** How many records the buffer must hold before they are claimed ahead while the poll thread still catches up. */
    private final int threshold;

    private Ahead ahead;
    /** The claim of the batch in flight, completed by its task once made: what a claim ahead waits behind. */
    private CompletableFuture<BatchMode.Claimed> inFlight;

    ClaimAhead(BatchMode mode, String namespace, int maxBufferedRecords) {
        this.mode = mode;
        this.threshold = Math.max(1, maxBufferedRecords / 2);
        this.claimer = mode.claimsAhead()
                ? Executors.newSingleThreadExecutor(r -> {
                    Thread thread = new Thread(r, "dedup-kafka-claim-" + namespace);
                    thread.setDaemon(true);
                    return thread;
                })
                : null;
    }

    /** How many records are claimed ahead (or being claimed); they count towards the buffer's bound. */
    int size() {
        return ahead == null ? 0 : ahead.records().size();
    }

    /** Whether records wait, claimed ahead, for the next batch. */
    boolean holds() {
        return ahead != null;
    }

    /**
     * Claims the buffered records ahead, when the mode does so, the loop may ({@code mayClaim}: a batch runs and the
     * runner is not closing), nothing is claimed
     * ahead yet, and either the buffer holds {@link #threshold} records or the last poll brought nothing new (the
     * consumer caught up: what is buffered is all there is for now).
     */
    void maybeClaim(FetchBuffer buffer, boolean mayClaim, boolean caughtUp) {
        if (claimer == null || ahead != null || !mayClaim || buffer.isEmpty()) {
            return;
        }
        if (!caughtUp && buffer.size() < threshold) {
            return;
        }
        List<ConsumerRecord<byte[], byte[]>> records = buffer.takeAll();
        CompletableFuture<BatchMode.Claimed> behind = inFlight;
        FutureTask<BatchMode.Claimed> claim = new FutureTask<>(() -> mode.claim(records, claimedOrNull(behind)));
        claimer.execute(claim);
        ahead = new Ahead(records, claim);
    }

    /**
     * The next batch: the records claimed ahead when there are some, else everything buffered, claimed by the task
     * on the handler thread.
     */
    Next next(FetchBuffer buffer, Predicate<TopicPartition> startable, ConsumerGroupMetadata group) {
        if (claimer == null) {
            List<ConsumerRecord<byte[], byte[]>> records = buffer.takeAll();
            return new Next(records, () -> mode.process(records, startable, group));
        }
        List<ConsumerRecord<byte[], byte[]>> records;
        FutureTask<BatchMode.Claimed> made;
        if (ahead != null) {
            records = ahead.records();
            made = ahead.claimed();
            ahead = null;
        } else {
            records = buffer.takeAll();
            made = null;
        }
        CompletableFuture<BatchMode.Claimed> claimed = new CompletableFuture<>();
        inFlight = claimed;
        return new Next(records, () -> {
            BatchMode.Claimed poll;
            try {
                if (made != null) {
                    // not started yet (the batch before ended first): made here at once rather than after the claim
                    // thread wakes; a FutureTask runs once, so the claim thread then skips it
                    made.run();
                }
                poll = made != null ? made.get() : mode.claim(records, null);
            } catch (ExecutionException e) {
                claimed.completeExceptionally(e.getCause());
                throw e.getCause() instanceof Exception cause ? cause : e;
            } catch (RuntimeException | Error | InterruptedException e) {
                claimed.completeExceptionally(e);
                throw e;
            }
            claimed.complete(poll);
            return mode.run(poll, startable);
        });
    }

    /**
     * Gives back what was claimed ahead, unrun, and puts its records back at the front of the buffer. Waits for a
     * claim still being made: its keys must be released before their partitions move on or are given up.
     */
    void giveBack(FetchBuffer buffer) {
        Ahead given = ahead;
        if (given == null) {
            return;
        }
        ahead = null;
        try {
            mode.giveBack(given.claimed().get());
        } catch (ExecutionException e) {
            // the claim itself failed: nothing is held
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // closing: the claims ahead run out with their leases
        } catch (RuntimeException e) {
            LOG.warn(
                    "giving back the records claimed ahead failed; their keys wait for their leases: {}", e.toString());
        }
        buffer.prepend(given.records());
    }

    /** Gives back what is still claimed ahead (normally nothing: a batch's end gave it back), then stops the thread. */
    void shutdown(FetchBuffer buffer) {
        giveBack(buffer);
        if (claimer != null) {
            claimer.shutdownNow();
        }
    }

    /** The claim of the batch in flight, or null when it has none or its claim failed (then nothing is held). */
    private static BatchMode.Claimed claimedOrNull(CompletableFuture<BatchMode.Claimed> behind) {
        if (behind == null) {
            return null;
        }
        try {
            return behind.get();
        } catch (ExecutionException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
