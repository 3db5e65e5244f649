package io.dedup.kafka.internal;

import io.dedup.kafka.PollOutcome;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The classic runner's poll loop: one batch at a time on the {@link HandlerThread}, while the poll thread fetches the
 * next records ahead ({@link FetchBuffer}), keeps the member in its group, and, when a batch ends, acts on its
 * {@link PollOutcome}: rewinds and back-offs ({@link PartitionStates}), the next batch, the offset commit ({@link
 * OffsetCommits}).
 *
 * <p>Why two threads: the consumer is not thread-safe and must be polled within {@code max.poll.interval.ms}, while a
 * handler may run for longer. The poll thread owns the consumer, pauses every partition once the buffer is full, and
 * then polls only to stay alive. Rebalance callbacks run inside {@code poll}, so on the poll thread too ({@link
 * RebalanceListener}).
 *
 * <p>Not thread-safe: everything but {@link #requestClose()}, {@link #wakeup()} and {@link #isHandlerThread} belongs
 * to the poll thread.
 */
public final class PollLoop {
    private static final Logger LOG = LoggerFactory.getLogger(PollLoop.class);
    /** How often the poll thread polls, while handlers run and the buffer is full, to stay in the group. */
    static final Duration KEEP_ALIVE = Duration.ofMillis(50);
    /** How long the poll thread waits on the batch in flight between polls while it fetches ahead. */
    static final Duration FETCH_WAIT = Duration.ofMillis(1);

    private final Consumer<byte[], byte[]> consumer;
    private final Collection<String> topics;
    private final Pattern pattern;
    private final BatchMode mode;
    private final List<AutoCloseable> owned;
    private final KafkaDedupContext context;
    private final Duration pollTimeout;
    private final int maxBufferedRecords;
    private final HandlerThread handlerThread;
    private final PartitionStates partitions;
    private final FetchBuffer buffer;
    /** The next batch's records, claimed while the current one runs. */
    private final ClaimAhead ahead;

    private final OffsetCommits commits;
    /** Set by close() from any thread, or by the loop on a fatal failure; read by the handler thread too. */
    private volatile boolean closing;
    /** Tests subscribe before turning the loop themselves; run() must not subscribe a second time. */
    private boolean subscribed;

    /**
     * @param topics the topics to subscribe to, unless {@code pattern} is set
     * @param owned what the runner created besides the mode and closes on shutdown (a dead-letter producer)
     * @param storeBackoff the first pause of every partition while the store is unavailable, doubled per outage up to
     *     {@code maxStoreBackoff}
     */
    public PollLoop(
            Consumer<byte[], byte[]> consumer,
            Collection<String> topics,
            Pattern pattern,
            BatchMode mode,
            List<AutoCloseable> owned,
            KafkaDedupContext context,
            Duration pollTimeout,
            Duration storeBackoff,
            Duration maxStoreBackoff,
            int maxBufferedRecords) {
        this.consumer = consumer;
        this.topics = topics;
        this.pattern = pattern;
        this.mode = mode;
        this.owned = owned;
        this.context = context;
        this.pollTimeout = pollTimeout;
        this.maxBufferedRecords = maxBufferedRecords;
        this.partitions = new PartitionStates(consumer, storeBackoff, maxStoreBackoff, context.metrics());
        this.buffer = new FetchBuffer(consumer);
        this.commits = new OffsetCommits(consumer, mode.commits(), partitions.lost());
        this.handlerThread = new HandlerThread(context.settings().namespace());
        this.ahead = new ClaimAhead(mode, context.settings().namespace(), maxBufferedRecords);
    }

    /** Subscribes once, with the rebalance listener. */
    public void subscribe() {
        if (subscribed) {
            return;
        }
        subscribed = true;
        RebalanceListener listener = new RebalanceListener(this, partitions, commits, buffer, context.memory());
        if (pattern != null) {
            consumer.subscribe(pattern, listener);
        } else {
            consumer.subscribe(topics, listener);
        }
    }

    /** Whether the loop is to end: {@link #requestClose()} was called, or a fatal failure stopped it. */
    public boolean closing() {
        return closing;
    }

    /** Asks the loop to end: no new batch starts; the one in flight finishes. Any thread. */
    public void requestClose() {
        closing = true;
    }

    /** Wakes a poll in progress, so that the loop sees {@link #closing()} soon. Any thread. */
    public void wakeup() {
        consumer.wakeup();
    }

    /** Whether {@code thread} is the handler thread, which must not wait for the loop it is part of. Any thread. */
    public boolean isHandlerThread(Thread thread) {
        return handlerThread.is(thread);
    }

    /**
     * One turn of the loop: start a batch (from the records fetched ahead, else from a poll), fetch ahead while it
     * runs, then settle it: rewinds and back-offs, the next batch started, this one's offsets committed.
     */
    public void pollOnce() {
        if (!handlerThread.busy()) {
            if (buffer.isEmpty() && !ahead.holds()) {
                syncPauses();
                try {
                    buffer.add(consumer.poll(partitions.nextPollTimeout(pollTimeout)));
                } catch (WakeupException e) {
                    return; // close() asks; the loop condition decides
                }
                if (buffer.isEmpty()) {
                    commits.retryFailed(consumer.assignment()); // idle: no next batch's commit would cover them
                }
            }
            if (!startBatch()) {
                return;
            }
        }
        fetchWhileRunning();
        finishBatch(true);
    }

    /**
     * Hands the next batch to the handler thread: the records claimed ahead, else everything buffered; false when
     * there is nothing to start.
     */
    private boolean startBatch() {
        if (closing || (buffer.isEmpty() && !ahead.holds()) || handlerThread.busy()) {
            return false;
        }
        // taken on the poll thread: the transactional-producer mode commits offsets with this generation
        ClaimAhead.Next next = ahead.next(buffer, this::startable, consumer.groupMetadata());
        handlerThread.start(next.records(), next.task());
        syncPauses();
        return true;
    }

    /**
     * Polls while the batch in flight runs: into the buffer until it holds {@code maxBufferedRecords} (then every
     * partition is paused and polls only keep the member in its group). The consumer is the poll thread's alone, so
     * the handlers run on the handler thread and this thread waits on the batch between polls that do not block.
     */
    private void fetchWhileRunning() {
        boolean caughtUp = false;
        while (handlerThread.running()) {
            ahead.maybeClaim(buffer, !closing, caughtUp);
            boolean full = fetchingStopped();
            syncPauses();
            if (!full) {
                int before = buffer.size();
                try {
                    buffer.add(consumer.poll(Duration.ZERO));
                } catch (WakeupException e) {
                    continue; // close(): the batch finishes first, then the loop ends
                }
                caughtUp = buffer.size() == before;
                if (!caughtUp) {
                    continue;
                }
            }
            // the poll may have finished the batch (a revocation): then there is nothing to wait for
            if (!handlerThread.stillRunningAfter(full ? KEEP_ALIVE : FETCH_WAIT, this::requestClose)) {
                continue;
            }
            if (full) {
                try {
                    buffer.add(consumer.poll(Duration.ZERO)); // keeps the member alive; partitions new to it come here
                } catch (WakeupException e) {
                    // close(): the batch finishes first, then the loop ends
                }
            }
        }
    }

    /** Whether the runner fetches nothing more for now: the buffer is full, or the runner closes. */
    private boolean fetchingStopped() {
        return closing || (handlerThread.busy() && buffer.size() + ahead.size() >= maxBufferedRecords);
    }

    /** Asked by the handler thread before each record: not while closing, nor for a partition being revoked. */
    private boolean startable(TopicPartition partition) {
        return !closing && partitions.startable(partition);
    }

    /** Whether {@code partition} is being revoked. For tests. */
    public boolean isRevoking(TopicPartition partition) {
        return partitions.isRevoking(partition);
    }

    /**
     * Waits for the batch in flight, if any, and acts on its outcome: rewinds (dropping what was fetched behind a
     * rewound record), back-offs, then, with {@code startNext}, the next batch from the buffer, and last the
     * offsets (so their commit overlaps the next batch). Without {@code startNext} (a rebalance, closing) the
     * offsets are committed synchronously. Idempotent; poll thread only.
     *
     * @throws RuntimeException the batch's failure when the mode calls it fatal (a fenced producer); the loop is
     *     closing then
     */
    void finishBatch(boolean startNext) {
        HandlerThread.Finished batch = handlerThread.take();
        if (batch == null) {
            return;
        }
        if (batch.failure() != null) {
            Throwable cause = batch.failure();
            if (mode.fatal(cause)) {
                closing = true;
                throw cause instanceof RuntimeException r ? r : new KafkaException(cause); // e.g. a fenced producer
            }
            LOG.error("processing a batch failed unexpectedly; its records are retried after a back-off", cause);
            ahead.giveBack(buffer);
            buffer.drop(partition -> true, true);
            buffer.rewindTo(batch.records());
            partitions.backOff("processing failed");
            syncPauses();
            return;
        }
        PollOutcome outcome = batch.outcome();
        if (!startNext || outcome.storeUnavailable() || !outcome.rewind().isEmpty()) {
            // claimed ahead of records that must now wait, be fetched again or be given up: back to the buffer, unrun
            ahead.giveBack(buffer);
        }
        Set<TopicPartition> assignment = consumer.assignment();
        if (outcome.storeUnavailable()) {
            buffer.drop(partition -> true, true); // nothing starts before the back-off is over
        } else if (!outcome.rewind().isEmpty()) {
            buffer.drop(outcome.rewind()::containsKey, false); // fetched behind a record that comes again
        }
        partitions.rewind(outcome, assignment);
        boolean started = startNext && startBatch();
        if (!started) {
            ahead.giveBack(buffer); // closing: nothing more starts
            syncPauses();
        }
        // last, so that the commit (asynchronous while running) overlaps the next batch's handlers
        commits.commit(outcome.offsetsToCommit(), assignment, !startNext);
    }

    /** Pauses what must wait (everything while the buffer is full or the store is out), resumes the rest. */
    private void syncPauses() {
        partitions.sync(fetchingStopped());
    }

    /** Newly assigned, inside poll: the mode's start positions (the store's, in the Kafka-to-database mode). */
    void assigned(Collection<TopicPartition> assigned) {
        partitions.assigned(assigned);
        mode.startPositions(assigned).forEach(consumer::seek);
        syncPauses(); // a batch in flight keeps new partitions paused too
    }

    /**
     * Finishes the batch in flight, commits, leaves the group, and closes what the runner created (but not the
     * dedup instance, which its owner closes). Never throws for a failure of one of these steps: each is logged.
     */
    public void shutdown() {
        closing = true;
        try {
            finishBatch(false);
            commits.flush();
        } catch (RuntimeException e) {
            LOG.warn("could not finish the last batch cleanly: {}", e.toString());
        }
        ahead.shutdown(buffer);
        buffer.clear(); // fetched, never claimed: nothing to give back
        try {
            consumer.close();
        } catch (RuntimeException e) {
            LOG.warn("closing the consumer failed: {}", e.toString());
        }
        handlerThread.shutdownNow();
        Resources.closeQuietly(mode);
        owned.forEach(Resources::closeQuietly);
    }
}
