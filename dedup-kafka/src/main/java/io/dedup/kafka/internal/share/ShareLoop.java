package io.dedup.kafka.internal.share;

import io.dedup.DedupConsumer;
import io.dedup.kafka.internal.Resources;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ShareConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The share runner's loop: poll, run a batch on the handler thread, settle its verdicts ({@link ShareSettlement}),
 * renew the locks of what is still held ({@link ShareAcknowledger}), and the runner's life cycle around it.
 *
 * <p>Why the dedup consumer is made late: its store lease must end before the broker's acquisition lock, so that a
 * record handed to another consumer after its lock expired finds the key free (or fenced) rather than held. The lock
 * is only known once the consumer has joined, after the first poll.
 *
 * <p>Thread-safe where the runner promises it: {@link #close()} from any thread; everything else on the loop thread.
 */
public final class ShareLoop<K, V> {
    private static final Logger LOG = LoggerFactory.getLogger(ShareLoop.class);

    private final ShareConsumer<byte[], byte[]> consumer;
    private final Collection<String> topics;
    private final String namespace;
    private final Function<Duration, DedupConsumer<ConsumerRecord<?, ?>>> dedupFactory;
    private final Function<DedupConsumer<ConsumerRecord<?, ?>>, ShareBatch<K, V>> batchFactory;
    private final Producer<byte[], byte[]> deadLetterProducer;
    private final Duration pollTimeout;
    private final ExecutorService handlerThread;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final CountDownLatch closing = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final HeldRecords held;
    private final ShareAcknowledger acknowledger;
    private final ShareSettlement settlement;
    private volatile Thread handlerThreadRef;
    private volatile Thread loopThread;

    /** Made with the first records, once the lock is known; guarded by this loop's monitor for {@link #dedup()}. */
    private DedupConsumer<ConsumerRecord<?, ?>> dedup;

    private ShareBatch<K, V> batch;
    private Duration renewEvery = AcquisitionLock.DEFAULT.renewEvery();
    /** The batch on the handler thread, or null. */
    private Running current;

    /** A batch on the handler thread: its records' ids, in order, and their verdicts to come. */
    private record Running(List<String> ids, Future<List<Verdict>> verdicts) {}

    ShareLoop(
            ShareConsumer<byte[], byte[]> consumer,
            Collection<String> topics,
            String namespace,
            Function<Duration, DedupConsumer<ConsumerRecord<?, ?>>> dedupFactory,
            Function<DedupConsumer<ConsumerRecord<?, ?>>, ShareBatch<K, V>> batchFactory,
            Producer<byte[], byte[]> deadLetterProducer,
            ShareDeadLetters deadLetters,
            ShareMetrics metrics,
            ShareRunnerSettings<K, V> settings) {
        this.consumer = consumer;
        this.topics = topics;
        this.namespace = namespace;
        this.dedupFactory = dedupFactory;
        this.batchFactory = batchFactory;
        this.deadLetterProducer = deadLetterProducer;
        this.pollTimeout = settings.pollTimeout();
        this.held = new HeldRecords(namespace);
        ShareLoopState state = new ShareLoopState(held, metrics, namespace, stopping::get);
        this.acknowledger = new ShareAcknowledger(consumer, state, settings.lockRenewal());
        this.settlement =
                new ShareSettlement(state, deadLetters, acknowledger, settings.firstBackoff(), settings.maxBackoff());
        this.handlerThread = Executors.newSingleThreadExecutor(r -> {
            Thread thread = new Thread(r, "dedup-kafka-share-handler-" + namespace);
            thread.setDaemon(true);
            handlerThreadRef = thread;
            return thread;
        });
    }

    /** The dedup consumer the loop claims through, once the first records arrived (its lease is only known then). */
    public synchronized Optional<DedupConsumer<ConsumerRecord<?, ?>>> dedup() {
        return Optional.ofNullable(dedup);
    }

    /**
     * Runs the loop on the calling thread until {@link #close()}.
     *
     * @throws IllegalStateException if the loop already runs or ran
     * @throws org.apache.kafka.common.KafkaException if the share consumer fails fatally; the loop is then closed
     */
    public void run() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("this runner already runs or ran; build a new one");
        }
        loopThread = Thread.currentThread();
        try {
            consumer.subscribe(topics);
            while (!stopping.get()) {
                try {
                    turn();
                } catch (WakeupException e) {
                    // close() woke the poll up; the loop condition decides
                }
            }
        } finally {
            shutdown();
        }
    }

    /** Stops the loop and waits for it, unless called from the handler or the loop itself. Idempotent. */
    public void close() {
        stopping.set(true);
        closing.countDown();
        if (started.compareAndSet(false, true)) {
            shutdown();
            return;
        }
        consumer.wakeup();
        if (Thread.currentThread() == handlerThreadRef || Thread.currentThread() == loopThread) {
            return;
        }
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * One turn: poll (unless records are held that cannot be renewed), run, acknowledge, commit, renew. Without lock
     * renewal the loop must not poll while it holds records: a poll would hand it more records whose locks run out
     * while the held ones are still being handled.
     */
    private void turn() {
        boolean renewable = acknowledger.renewable();
        boolean mayPoll = renewable || (current == null && !held.hasWaiting());
        if (mayPoll) {
            held.received(consumer.poll(pollTimeout));
        }
        if (!held.isEmpty()) {
            ensureDedup();
        }
        startIfDue();
        if (current != null) {
            settleWhenDone(renewable ? renewEvery : null);
            startIfDue();
        } else if (held.hasWaiting()) {
            Duration untilRetry = settlement.untilRetry();
            pause(renewable ? ShareSettlement.min(renewEvery, untilRetry) : untilRetry);
            startIfDue();
        }
        acknowledger.renewHeld();
    }

    /** Makes the dedup consumer and batch with a lease that follows the acquisition lock, once. */
    private synchronized void ensureDedup() {
        if (dedup != null) {
            return;
        }
        AcquisitionLock lock = AcquisitionLock.of(consumer);
        dedup = dedupFactory.apply(lock.lease());
        batch = batchFactory.apply(dedup);
        renewEvery = lock.renewEvery();
        LOG.info(
                "share runner {}: acquisition lock {} ms, store lease {} ms, lock renewal {}",
                namespace,
                lock.lock().toMillis(),
                lock.lease().toMillis(),
                acknowledger.renewable() ? "on" : "off");
    }

    /**
     * Hands the waiting records to the handler thread as one batch, unless one runs, the loop stops, or a back-off
     * or deferral is still pending. One batch at a time keeps the handlers in the order polled.
     */
    private void startIfDue() {
        if (current != null || !held.hasWaiting() || stopping.get() || !settlement.due()) {
            return;
        }
        List<String> ids = held.takeWaiting();
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>(ids.size());
        for (String id : ids) {
            records.add(held.get(id));
        }
        ShareBatch<K, V> running = batch;
        current = new Running(ids, handlerThread.submit(() -> running.run(records, stopping::get)));
    }

    /** Waits up to {@code wait} (null: for as long as it takes) for the running batch, and settles it if done. */
    private void settleWhenDone(Duration wait) {
        List<Verdict> verdicts;
        try {
            verdicts = null;
            while (verdicts == null) {
                try {
                    verdicts =
                            current.verdicts().get((wait == null ? renewEvery : wait).toNanos(), TimeUnit.NANOSECONDS);
                } catch (TimeoutException stillRunning) {
                    // a slow handler: what finished before it is recorded now, so a crash repeats only the slow one
                    batch.flush();
                    if (wait != null) {
                        return;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (ExecutionException e) {
            // ShareBatch catches handler failures; this is a failure of the runner itself: give everything back
            LOG.error(
                    "share runner {}: a batch failed: {}",
                    namespace,
                    e.getCause().toString(),
                    e.getCause());
            verdicts = new ArrayList<>(Collections.nCopies(current.ids().size(), Verdict.RELEASE));
        }
        Running done = current;
        current = null;
        settlement.settle(done.ids(), verdicts, renewEvery);
    }

    /** Sleeps for {@code duration}, or less when {@link #close()} is called meanwhile. */
    private void pause(Duration duration) {
        if (duration.isNegative() || duration.isZero()) {
            return;
        }
        try {
            closing.await(duration.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Settles the batch in flight, releases every record still held (their next owner claims them), commits, and
     * closes what the runner created. Never throws: a failure is logged, and the clients are closed all the same.
     */
    private void shutdown() {
        try {
            stopping.set(true);
            if (current != null) {
                settleWhenDone(null); // the handler in progress finishes; records not started come back RELEASE
            }
            if (!held.isEmpty()) {
                Map<String, AcknowledgeType> acks = new LinkedHashMap<>();
                for (String id : held.ids()) {
                    if (!held.isLost(id)) {
                        acks.put(id, AcknowledgeType.RELEASE);
                    }
                }
                held.clearWaiting();
                acknowledger.acknowledgeAndCommit(acks);
            }
        } catch (RuntimeException e) {
            LOG.warn("share runner {}: settling on close failed: {}", namespace, e.toString());
        } finally {
            handlerThread.shutdown();
            Resources.closeQuietly(consumer);
            synchronized (this) {
                if (dedup != null) {
                    Resources.closeQuietly(dedup);
                }
            }
            if (deadLetterProducer != null) {
                Resources.closeQuietly(deadLetterProducer);
            }
            stopped.countDown();
        }
    }
}
