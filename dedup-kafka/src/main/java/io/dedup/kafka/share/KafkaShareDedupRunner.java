package io.dedup.kafka.share;

import io.dedup.DedupConsumer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
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
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.ShareConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.errors.InvalidRecordStateException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A poll loop over a {@code KafkaShareConsumer} (a share group, KIP-932) in explicit acknowledgement mode, that
 * acknowledges each record only after the store recorded what became of its key:
 *
 * <ul>
 *   <li>each poll's records are claimed in one round trip through core's batch API, and the acquired ones run on the
 *       runner's handler thread, in the order polled (share groups promise no order across records);
 *   <li>processed or duplicate: ACCEPT, after the store recorded the completion; failure with deliveries left:
 *       RELEASE; key held by another consumer: the record is kept (its lock renewed) and claimed again when the
 *       holder's lease may have ended, rather than released into a loop of redeliveries; poison (failure on the last delivery), key conflict, missing or unreadable key,
 *       a record that cannot be deserialized, or the last delivery of a record that could not be handled: published
 *       to its dead-letter topic (the classic runner's format, see {@link io.dedup.kafka.DeadLetterHeaders}), then
 *       REJECT; store unavailable: nothing is acknowledged, the runner keeps the records, backs off and claims them
 *       again;
 *   <li>the store lease follows the acquisition lock ({@code acquisitionLockTimeoutMs()} minus a margin); while a
 *       handler runs longer, the runner renews the locks of the records it holds with {@code AcknowledgeType.RENEW}
 *       (the group needs {@code share.renew.acknowledge.enable=true}); without renewal the store lease is not renewed
 *       either, so a handler slower than the lock is fenced when the record was handed to another consumer;
 *   <li>acknowledgements are committed with {@code commitSync} once per poll; a partition whose commit failed gets its
 *       records back from the broker, and they are answered from the store (an accepted one as a duplicate).
 * </ul>
 *
 * <p>The runner reads raw bytes and deserializes with the given deserializers itself, so a record that cannot be
 * deserialized is dead-lettered with its exact bytes. See {@code docs/kafka-share.md} for the guarantees.
 *
 * <p>Thread-safe: {@link #close()} may be called from any thread; the loop runs on one thread.
 *
 * @param <K> the record key type the handler sees
 * @param <V> the record value type the handler sees
 */
public final class KafkaShareDedupRunner<K, V> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaShareDedupRunner.class);
    /** The acquisition lock assumed until the broker reports one (Kafka's default). */
    static final Duration DEFAULT_LOCK = Duration.ofSeconds(30);

    private final ShareConsumer<byte[], byte[]> consumer;
    private final Collection<String> topics;
    private final String namespace;
    private final Function<Duration, DedupConsumer<ConsumerRecord<?, ?>>> dedupFactory;
    private final Function<DedupConsumer<ConsumerRecord<?, ?>>, ShareBatch<K, V>> batchFactory;
    private final Producer<byte[], byte[]> deadLetterProducer;
    private final ShareDeadLetters deadLetters;
    private final ShareMetrics metrics;
    private final Duration pollTimeout;
    private final Duration firstBackoff;
    private final Duration maxBackoff;
    private final ExecutorService handlerThread;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final CountDownLatch closing = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile Thread handlerThreadRef;
    private volatile Thread loopThread;

    private boolean renewable;
    private DedupConsumer<ConsumerRecord<?, ?>> dedup;
    private ShareBatch<K, V> batch;
    private Duration renewEvery = DEFAULT_LOCK.dividedBy(3);
    /** Records acquired and not finally acknowledged, by topic-partition@offset: the latest delivery of each. */
    private final Map<String, ConsumerRecord<byte[], byte[]>> held = new LinkedHashMap<>();
    /** Held records not yet in a batch, in the order polled. */
    private final List<String> waiting = new ArrayList<>();
    /** Held records whose lock was lost while their batch ran: their verdicts are not acknowledged. */
    private final java.util.Set<String> lost = new java.util.HashSet<>();

    private Running current;
    private long retryAtNanos;
    private Duration backoff;
    private boolean warnedRenewal;

    private record Running(List<String> ids, Future<List<Verdict>> verdicts) {}

    KafkaShareDedupRunner(
            KafkaShareDedupRunnerBuilder<K, V> builder,
            ShareConsumer<byte[], byte[]> consumer,
            Function<Duration, DedupConsumer<ConsumerRecord<?, ?>>> dedupFactory,
            Function<DedupConsumer<ConsumerRecord<?, ?>>, ShareBatch<K, V>> batchFactory,
            Producer<byte[], byte[]> deadLetterProducer,
            ShareDeadLetters deadLetters,
            ShareMetrics metrics) {
        this.consumer = consumer;
        this.topics = builder.topics;
        this.namespace = builder.namespace();
        this.dedupFactory = dedupFactory;
        this.batchFactory = batchFactory;
        this.deadLetterProducer = deadLetterProducer;
        this.deadLetters = deadLetters;
        this.metrics = metrics;
        this.pollTimeout = builder.pollTimeout;
        this.firstBackoff = builder.firstBackoff;
        this.maxBackoff = builder.maxBackoff;
        this.backoff = firstBackoff;
        this.renewable = builder.lockRenewal;
        this.handlerThread = Executors.newSingleThreadExecutor(r -> {
            Thread thread = new Thread(r, "dedup-kafka-share-handler-" + namespace);
            thread.setDaemon(true);
            handlerThreadRef = thread;
            return thread;
        });
    }

    /**
     * A builder over a share consumer it creates from {@code consumerConfig} (which must have {@code group.id}; the
     * runner sets byte-array deserializers and {@code share.acknowledgement.mode=explicit}).
     */
    public static <K, V> KafkaShareDedupRunnerBuilder<K, V> builder(
            Map<String, ?> consumerConfig, Deserializer<K> keyDeserializer, Deserializer<V> valueDeserializer) {
        return new KafkaShareDedupRunnerBuilder<>(consumerConfig, keyDeserializer, valueDeserializer);
    }

    /** The namespace keys are claimed in (by default the share group's id). */
    public String namespace() {
        return namespace;
    }

    /**
     * The dedup consumer the runner claims through, once the first records arrived (its lease is only known then).
     */
    public synchronized Optional<DedupConsumer<ConsumerRecord<?, ?>>> dedup() {
        return Optional.ofNullable(dedup);
    }

    /**
     * Runs the loop on the calling thread until {@link #close()}.
     *
     * @throws IllegalStateException if the runner already runs or ran
     * @throws KafkaException if the share consumer fails fatally; the runner is then closed
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

    /** Runs the loop on a new thread, {@code dedup-kafka-share-runner-<namespace>}, and returns it. */
    public Thread start() {
        Thread thread = new Thread(
                () -> {
                    try {
                        run();
                    } catch (RuntimeException e) {
                        LOG.error("dedup share runner of namespace {} stopped: {}", namespace, e.toString(), e);
                    }
                },
                "dedup-kafka-share-runner-" + namespace);
        thread.start();
        return thread;
    }

    /**
     * Stops the loop: no new record is started, the handler in progress finishes and its record is acknowledged,
     * records not started are released, acknowledgements are committed, the consumer leaves the group, and what the
     * runner created is closed. Waits for that unless called from the handler or the loop itself. Idempotent.
     */
    @Override
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

    // ---------------------------------------------------------------- the loop

    /** One turn: poll (unless records are held that cannot be renewed), run, acknowledge, commit, renew. */
    private void turn() {
        boolean mayPoll = renewable || (current == null && waiting.isEmpty());
        if (mayPoll) {
            ConsumerRecords<byte[], byte[]> polled = consumer.poll(pollTimeout);
            for (ConsumerRecord<byte[], byte[]> record : polled) {
                String id = id(record);
                boolean known = held.put(id, record) != null;
                if (!known) {
                    waiting.add(id);
                } else if (lost.remove(id)) {
                    // a new delivery of a record whose lock we lost while its batch ran: it takes over that verdict
                    LOG.debug("share runner {}: {} delivered again while its handler runs", namespace, id);
                }
            }
        }
        if (!held.isEmpty()) {
            ensureDedup();
        }
        startIfDue();
        if (current != null) {
            settleWhenDone(renewable ? renewEvery : null);
            startIfDue();
        } else if (!waiting.isEmpty()) {
            pause(renewable ? min(renewEvery, untilRetry()) : untilRetry());
            startIfDue();
        }
        renewHeld();
    }

    private synchronized void ensureDedup() {
        if (dedup != null) {
            return;
        }
        Duration lock = consumer.acquisitionLockTimeoutMs()
                .map(ms -> Duration.ofMillis(ms))
                .orElse(DEFAULT_LOCK);
        dedup = dedupFactory.apply(leaseFor(lock));
        batch = batchFactory.apply(dedup);
        renewEvery = lock.dividedBy(3);
        LOG.info(
                "share runner {}: acquisition lock {} ms, store lease {} ms, lock renewal {}",
                namespace,
                lock.toMillis(),
                leaseFor(lock).toMillis(),
                renewable ? "on" : "off");
    }

    /** The store lease for a lock: the lock minus a margin (a tenth, at least 500 ms, at most half the lock). */
    static Duration leaseFor(Duration lock) {
        Duration margin = lock.dividedBy(10);
        if (margin.compareTo(Duration.ofMillis(500)) < 0) {
            margin = Duration.ofMillis(500);
        }
        if (margin.compareTo(lock.dividedBy(2)) > 0) {
            margin = lock.dividedBy(2);
        }
        return lock.minus(margin);
    }

    private void startIfDue() {
        if (current != null || waiting.isEmpty() || stopping.get() || System.nanoTime() - retryAtNanos < 0) {
            return;
        }
        List<String> ids = List.copyOf(waiting);
        waiting.clear();
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
                    batch.flush(); // what finished so far is recorded now, not when the slow handler ends
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
            verdicts =
                    new ArrayList<>(java.util.Collections.nCopies(current.ids().size(), Verdict.RELEASE));
        }
        Running done = current;
        current = null;
        settle(done.ids(), verdicts);
    }

    private void settle(List<String> ids, List<Verdict> verdicts) {
        List<ShareDeadLetters.Letter> letters = new ArrayList<>();
        List<String> lettered = new ArrayList<>();
        boolean retry = false;
        Duration defer = null;
        Map<String, AcknowledgeType> acks = new LinkedHashMap<>();
        for (int i = 0; i < ids.size(); i++) {
            String id = ids.get(i);
            Verdict verdict = verdicts.get(i);
            if (lost.remove(id)) {
                held.remove(id);
                continue; // its lock is gone: the broker hands it out again, and the store answers that delivery
            }
            switch (verdict.kind()) {
                case ACCEPT -> acks.put(id, AcknowledgeType.ACCEPT);
                case RELEASE -> acks.put(id, AcknowledgeType.RELEASE);
                case RETRY -> {
                    retry = true;
                    if (stopping.get()) {
                        acks.put(id, AcknowledgeType.RELEASE);
                    } else {
                        waiting.add(id);
                    }
                }
                case DEFER -> {
                    if (stopping.get()) {
                        acks.put(id, AcknowledgeType.RELEASE);
                    } else {
                        waiting.add(id);
                        metrics.deferred(held.get(id).topic());
                        Duration wait = deferral(verdict.retryAt());
                        defer = defer == null ? wait : min(defer, wait);
                    }
                }
                case DEAD_LETTER -> {
                    ConsumerRecord<byte[], byte[]> record = held.get(id);
                    letters.add(new ShareDeadLetters.Letter(
                            record,
                            deadLetters.topicFor(record.topic()),
                            verdict.reason(),
                            verdict.error(),
                            verdict.attempts()));
                    lettered.add(id);
                }
            }
        }
        if (!letters.isEmpty()) {
            try {
                deadLetters.publish(letters);
                for (int i = 0; i < letters.size(); i++) {
                    ShareDeadLetters.Letter letter = letters.get(i);
                    LOG.warn(
                            "share runner {}: {} dead-lettered to {} ({})",
                            namespace,
                            ShareBatch.describe(letter.record()),
                            letter.topic(),
                            letter.reason());
                    metrics.deadLettered(letter.record().topic(), letter.reason());
                    acks.put(lettered.get(i), AcknowledgeType.REJECT);
                }
            } catch (Exception e) {
                LOG.warn("share runner {}: publishing dead letters failed, will retry: {}", namespace, e.toString());
                retry = true;
                for (String id : lettered) {
                    if (stopping.get()) {
                        acks.put(id, AcknowledgeType.RELEASE);
                    } else {
                        waiting.add(id);
                    }
                }
            }
        }
        if (retry) {
            retryAtNanos = System.nanoTime() + backoff.toNanos();
            metrics.storeBackOff();
            backoff = min(backoff.multipliedBy(2), maxBackoff);
        } else {
            backoff = firstBackoff;
            if (defer != null) {
                retryAtNanos = System.nanoTime() + defer.toNanos();
            }
        }
        if (!acks.isEmpty()) {
            acknowledgeAndCommit(acks);
        }
    }

    private void acknowledgeAndCommit(Map<String, AcknowledgeType> acks) {
        acks.forEach((id, type) -> {
            ConsumerRecord<byte[], byte[]> record = held.remove(id);
            try {
                consumer.acknowledge(record, type);
                metrics.acknowledged(record.topic(), type);
            } catch (IllegalStateException | KafkaException e) {
                // the record is no longer in this consumer's acquired set: its lock was lost
                metrics.lockLost(record.topic());
                LOG.debug(
                        "share runner {}: cannot acknowledge {}: {}",
                        namespace,
                        ShareBatch.describe(record),
                        e.toString());
            }
        });
        Map<TopicIdPartition, Optional<KafkaException>> results = commitSync();
        results.forEach((partition, failure) -> failure.ifPresent(e -> {
            metrics.commitFailed(partition.topic());
            LOG.warn(
                    "share runner {}: acknowledgements of {} not committed ({}); the broker delivers those records"
                            + " again and the store answers them",
                    namespace,
                    partition,
                    e.toString());
        }));
    }

    /**
     * Commits the acknowledgements given so far. A wake-up from {@link #close()} that arrives during the commit does not
     * cost the acknowledgements: they are committed again, since the loop is stopping anyway.
     */
    private Map<TopicIdPartition, Optional<KafkaException>> commitSync() {
        try {
            return consumer.commitSync();
        } catch (WakeupException e) {
            if (!stopping.get()) {
                throw e;
            }
            return consumer.commitSync();
        }
    }

    /** Renews the lock of every record still held (running or waiting), or, when renewal is off, waits for them. */
    private void renewHeld() {
        if (held.isEmpty()) {
            return;
        }
        if (!renewable) {
            return; // the next turn does not poll while records are held; their batch runs to its end
        }
        for (ConsumerRecord<byte[], byte[]> record : held.values()) {
            try {
                consumer.acknowledge(record, AcknowledgeType.RENEW);
                metrics.acknowledged(record.topic(), AcknowledgeType.RENEW);
            } catch (IllegalStateException | KafkaException e) {
                markLost(id(record));
            }
        }
        Map<TopicIdPartition, Optional<KafkaException>> results = consumer.commitSync();
        results.forEach((partition, failure) -> failure.ifPresent(e -> {
            boolean refused = e instanceof InvalidRecordStateException;
            if (refused && !warnedRenewal) {
                warnedRenewal = true;
                LOG.warn(
                        "share runner {}: the broker refused to renew acquisition locks ({}); does the group set"
                                + " share.renew.acknowledge.enable=true? Lock renewal is now off: records are held only"
                                + " as long as their lock, and a handler slower than it is fenced when the record"
                                + " goes to another consumer",
                        namespace,
                        e.toString());
            }
            if (refused) {
                renewable = false;
            }
            for (String id : List.copyOf(held.keySet())) {
                ConsumerRecord<byte[], byte[]> record = held.get(id);
                if (record.topic().equals(partition.topic()) && record.partition() == partition.partition()) {
                    markLost(id);
                }
            }
        }));
    }

    private void markLost(String id) {
        ConsumerRecord<byte[], byte[]> record = held.get(id);
        if (record == null) {
            return;
        }
        metrics.lockLost(record.topic());
        if (waiting.remove(id)) {
            held.remove(id); // not started: the broker hands it out again
        } else {
            lost.add(id); // running: its handler finishes, its outcome goes to the store, its ack is dropped
        }
    }

    /**
     * How long to keep a record whose key is held elsewhere before claiming it again: until the holder's lease ends
     * (by the store's clock, so with a little slack), at least 100 ms, at most a third of the lock.
     */
    private Duration deferral(java.time.Instant leaseUntil) {
        Duration wait = leaseUntil == null
                ? renewEvery
                : Duration.between(java.time.Instant.now(), leaseUntil).plusMillis(100);
        if (wait.compareTo(Duration.ofMillis(100)) < 0) {
            wait = Duration.ofMillis(100);
        }
        return min(wait, renewEvery);
    }

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

    private Duration untilRetry() {
        long nanos = retryAtNanos - System.nanoTime();
        return nanos > 0 ? Duration.ofNanos(nanos) : Duration.ZERO;
    }

    private void shutdown() {
        try {
            stopping.set(true);
            if (current != null) {
                settleWhenDone(null); // the handler in progress finishes; records not started come back RELEASE
            }
            if (!held.isEmpty()) {
                Map<String, AcknowledgeType> acks = new LinkedHashMap<>();
                for (String id : held.keySet()) {
                    if (!lost.contains(id)) {
                        acks.put(id, AcknowledgeType.RELEASE);
                    }
                }
                waiting.clear();
                acknowledgeAndCommit(acks);
            }
        } catch (RuntimeException e) {
            LOG.warn("share runner {}: settling on close failed: {}", namespace, e.toString());
        } finally {
            handlerThread.shutdown();
            closeQuietly(consumer);
            synchronized (this) {
                if (dedup != null) {
                    closeQuietly(dedup);
                }
            }
            if (deadLetterProducer != null) {
                closeQuietly(deadLetterProducer);
            }
            stopped.countDown();
        }
    }

    static String id(ConsumerRecord<?, ?> record) {
        return record.topic() + "-" + record.partition() + "@" + record.offset();
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            LOG.warn("closing {} failed: {}", closeable.getClass().getSimpleName(), e.toString());
        }
    }
}
