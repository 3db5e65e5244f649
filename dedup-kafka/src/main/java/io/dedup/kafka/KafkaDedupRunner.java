package io.dedup.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A poll loop that does everything: poll, dedup, handle, dead-letter, commit, rebalance, shutdown. Build one,
 * {@link #start()} it (or {@link #run()} it on a thread of yours), {@link #close()} it.
 *
 * <pre>{@code
 * KafkaDedupRunner<String, String> runner = KafkaDedupRunner
 *         .builder(consumerConfig, new StringDeserializer(), new StringDeserializer())
 *         .topics("orders")
 *         .handler(record -> ship(record.value()))
 *         .build();
 * runner.start();
 * ...
 * runner.close();   // finishes the batch in hand, commits, leaves the group
 * }</pre>
 *
 * <p>Each batch: one claim round trip per topic, completions written as handlers finish; handlers run on a handler
 * thread in offset order per partition while the poll thread fetches the next records (up to {@link
 * KafkaDedupRunnerBuilder#maxBufferedRecords}; then all partitions pause and polls only keep the consumer in its
 * group, so {@code max.poll.interval.ms} is no limit on handler time). When a batch ends, the next one starts at
 * once from what was fetched, and, per partition, the offset is committed up to the first record that is not done
 * (in leased mode asynchronously, and synchronously before partitions are given up and on close). A record whose
 * key is in progress elsewhere, or whose handler failed with attempts left, is sought back to (what was fetched
 * behind it is dropped) and its partition paused for a back-off. When the store is unavailable, all
 * partitions pause with an exponential back-off and nothing is committed past the records it could not decide.
 * Records that cannot be handled go to their dead-letter topic; see {@link DeadLetterHeaders}.
 *
 * <p>The runner reads raw bytes and deserializes with the given deserializers itself, so a record that cannot be
 * deserialized is dead-lettered with its exact bytes rather than stopping the loop.
 *
 * <p>Thread-safe: {@link #close()} may be called from any thread, also from the handler.
 */
public final class KafkaDedupRunner<K, V> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaDedupRunner.class);
    /** Default of {@link KafkaDedupRunnerBuilder#maxBufferedRecords}: two polls' worth at Kafka's default. */
    public static final int DEFAULT_MAX_BUFFERED_RECORDS = 1000;
    /** How often the poll thread polls, while handlers run and the buffer is full, to stay in the group. */
    static final Duration KEEP_ALIVE = Duration.ofMillis(50);
    /** How long the poll thread waits on the batch in flight between polls while it fetches ahead. */
    static final Duration FETCH_WAIT = Duration.ofMillis(1);

    private final Consumer<byte[], byte[]> consumer;
    private final Collection<String> topics;
    private final Pattern pattern;
    private final KafkaDedup dedup;
    private final BatchMode mode;
    private final List<AutoCloseable> owned;
    private final Duration pollTimeout;
    private final ExecutorService handlerThread;

    private final Set<TopicPartition> revoking = ConcurrentHashMap.newKeySet();
    private final Set<TopicPartition> lost = new HashSet<>();
    private final AtomicBoolean started = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean closing;
    private volatile Thread handlerThreadRef;
    private volatile Thread loopThread;
    private boolean subscribed;
    private InFlight inFlight;
    private final PauseSchedule pauses;
    private final int maxBufferedRecords;
    /** Fetched ahead, not yet started (nor claimed), per partition in offset order. Poll thread only. */
    private List<ConsumerRecord<byte[], byte[]>> buffer = new ArrayList<>();
    /** Offsets committed asynchronously and not yet confirmed: committed synchronously on revoke and close. */
    private final Map<TopicPartition, OffsetAndMetadata> unconfirmed = new HashMap<>();

    /** A poll's records on their way through the handler thread. */
    private record InFlight(List<ConsumerRecord<byte[], byte[]>> records, Future<PollOutcome> outcome) {}

    KafkaDedupRunner(KafkaDedupRunnerBuilder<K, V> b, KafkaDedup dedup, BatchMode mode, List<AutoCloseable> owned) {
        this.consumer = b.consumer;
        this.topics = b.topics;
        this.pattern = b.pattern;
        this.dedup = dedup;
        this.mode = mode;
        this.owned = owned;
        this.pollTimeout = b.pollTimeout;
        this.pauses = new PauseSchedule(b.storeBackoff, b.maxStoreBackoff);
        this.maxBufferedRecords = b.maxBufferedRecords;
        this.handlerThread = Executors.newSingleThreadExecutor(r -> {
            Thread thread = new Thread(r, "dedup-kafka-handler-" + dedup.namespace());
            thread.setDaemon(true);
            handlerThreadRef = thread;
            return thread;
        });
    }

    /**
     * A runner builder over a consumer it creates from {@code consumerConfig} (which must have {@code group.id};
     * the runner sets byte-array deserializers and turns auto-commit off). {@code dedup.*} keys in the config are
     * read as by {@link KafkaDedup.Builder#properties}.
     */
    public static <K, V> KafkaDedupRunnerBuilder<K, V> builder(
            Map<String, ?> consumerConfig, Deserializer<K> keyDeserializer, Deserializer<V> valueDeserializer) {
        return new KafkaDedupRunnerBuilder<>(consumerConfig, keyDeserializer, valueDeserializer);
    }

    /**
     * Runs the loop on the calling thread until {@link #close()}.
     *
     * @throws IllegalStateException if the runner already runs or ran
     * @throws KafkaException if the consumer or transactional producer fails fatally (for example fenced); the
     *     runner is then closed
     */
    public void run() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("this runner already runs or ran; build a new one");
        }
        loopThread = Thread.currentThread();
        try {
            subscribe();
            while (!closing) {
                pollOnce();
            }
        } finally {
            shutdown();
        }
    }

    /** Runs the loop on a new thread, {@code dedup-kafka-runner-<namespace>}, and returns it. */
    public Thread start() {
        Thread thread = new Thread(this::runLogged, "dedup-kafka-runner-" + dedup.namespace());
        thread.start();
        return thread;
    }

    private void runLogged() {
        try {
            run();
        } catch (RuntimeException e) {
            LOG.error("dedup Kafka runner of namespace {} stopped: {}", dedup.namespace(), e.toString(), e);
        }
    }

    /** The dedup settings and store this runner uses. */
    public KafkaDedup dedup() {
        return dedup;
    }

    /**
     * Stops the loop: no new record is started, the handler in progress finishes, done offsets are committed, the
     * consumer leaves its group, and everything the runner created is closed. Waits for that unless called from
     * the handler itself. Idempotent.
     */
    @Override
    public void close() {
        closing = true;
        if (!started.get()) {
            if (started.compareAndSet(false, true)) {
                shutdown();
            }
            return;
        }
        consumer.wakeup();
        if (Thread.currentThread() == handlerThreadRef || Thread.currentThread() == loopThread) {
            return; // the loop waits for this thread (or is it); it cannot wait for the loop
        }
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---------------------------------------------------------------- the loop

    void subscribe() {
        if (subscribed) {
            return;
        }
        subscribed = true;
        if (pattern != null) {
            consumer.subscribe(pattern, new Rebalance());
        } else {
            consumer.subscribe(topics, new Rebalance());
        }
    }

    /**
     * One turn of the loop: start a batch (from the records fetched ahead, else from a poll), fetch ahead while it
     * runs, then settle it: rewinds and back-offs, the next batch started, this one's offsets committed.
     * Package-private for tests.
     */
    void pollOnce() {
        if (inFlight == null) {
            if (buffer.isEmpty()) {
                syncPauses();
                try {
                    buffer(consumer.poll(pauses.nextPollTimeout(pollTimeout)));
                } catch (WakeupException e) {
                    return; // close() asks; the loop condition decides
                }
            }
            if (!startBatch()) {
                return;
            }
        }
        fetchWhileRunning();
        finishBatch(true);
    }

    /** Hands the buffered records to the handler thread as one batch; false when there is nothing to start. */
    private boolean startBatch() {
        if (closing || buffer.isEmpty() || inFlight != null) {
            return false;
        }
        List<ConsumerRecord<byte[], byte[]>> list = buffer;
        buffer = new ArrayList<>(list.size());
        var group = consumer.groupMetadata();
        Future<PollOutcome> outcome = handlerThread.submit(() -> mode.process(list, this::startable, group));
        inFlight = new InFlight(list, outcome);
        syncPauses();
        return true;
    }

    /**
     * Polls while the batch in flight runs: into the buffer until it holds {@code maxBufferedRecords} (then every
     * partition is paused and polls only keep the member in its group). The consumer is the poll thread's alone, so
     * the handlers run on the handler thread and this thread waits on the batch between polls that do not block.
     */
    private void fetchWhileRunning() {
        while (inFlight != null && !inFlight.outcome().isDone()) {
            boolean full = fetchingStopped();
            syncPauses();
            if (!full) {
                int before = buffer.size();
                try {
                    buffer(consumer.poll(Duration.ZERO));
                } catch (WakeupException e) {
                    continue; // close(): the batch finishes first, then the loop ends
                }
                if (buffer.size() > before) {
                    continue;
                }
            }
            InFlight batch = inFlight; // the poll may have finished it (a revocation)
            if (batch == null || !await(batch.outcome(), full ? KEEP_ALIVE : FETCH_WAIT)) {
                continue;
            }
            if (full) {
                try {
                    buffer(consumer.poll(Duration.ZERO)); // keeps the member alive; partitions new to it come here
                } catch (WakeupException e) {
                    // close(): the batch finishes first, then the loop ends
                }
            }
        }
    }

    /** Waits up to {@code wait} for the batch; true when it is still running. */
    private boolean await(Future<PollOutcome> outcome, Duration wait) {
        try {
            outcome.get(wait.toNanos(), TimeUnit.NANOSECONDS);
            return false;
        } catch (TimeoutException stillRunning) {
            return true;
        } catch (ExecutionException failed) {
            return false; // handled in finishBatch
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closing = true;
            return !outcome.isDone();
        } catch (java.util.concurrent.CancellationException e) {
            return false;
        }
    }

    /** Whether the runner fetches nothing more for now: the buffer is full, or the runner closes. */
    private boolean fetchingStopped() {
        return closing || (inFlight != null && buffer.size() >= maxBufferedRecords);
    }

    private void buffer(ConsumerRecords<byte[], byte[]> records) {
        if (!records.isEmpty()) {
            records.forEach(buffer::add);
        }
    }

    /**
     * Drops the buffered records of the partitions {@code which} selects; with {@code seek}, the partition is sought
     * back to its first dropped record, so that it is fetched again.
     */
    private void unbuffer(Predicate<TopicPartition> which, boolean seek) {
        if (buffer.isEmpty()) {
            return;
        }
        Map<TopicPartition, Long> first = new LinkedHashMap<>();
        Map<TopicPartition, Boolean> chosen = new HashMap<>();
        buffer.removeIf(record -> {
            TopicPartition partition = new TopicPartition(record.topic(), record.partition());
            if (chosen.computeIfAbsent(partition, which::test)) {
                first.putIfAbsent(partition, record.offset());
                return true;
            }
            return false;
        });
        if (seek) {
            Set<TopicPartition> assignment = consumer.assignment();
            first.forEach((partition, offset) -> {
                if (assignment.contains(partition)) {
                    consumer.seek(partition, offset);
                }
            });
        }
    }

    /** Whether {@code partition} is being revoked. For tests. */
    boolean isRevoking(TopicPartition partition) {
        return revoking.contains(partition);
    }

    /** How many records are fetched and not yet started. For tests. */
    int buffered() {
        return buffer.size();
    }

    private boolean startable(TopicPartition partition) {
        return !closing && !revoking.contains(partition);
    }

    /**
     * Waits for the batch in flight, if any, and acts on its outcome: rewinds (dropping what was fetched behind a
     * rewound record), back-offs, then, with {@code startNext}, the next batch from the buffer, and last the
     * offsets (so their commit overlaps the next batch). Without {@code startNext} (a rebalance, closing) the
     * offsets are committed synchronously. Idempotent; poll thread only.
     */
    private void finishBatch(boolean startNext) {
        InFlight batch = inFlight;
        if (batch == null) {
            return;
        }
        PollOutcome outcome;
        try {
            outcome = awaitUninterruptibly(batch.outcome());
        } catch (ExecutionException e) {
            inFlight = null;
            Throwable cause = e.getCause();
            if (mode.fatal(cause)) {
                closing = true;
                throw cause instanceof RuntimeException r ? r : new KafkaException(cause); // e.g. a fenced producer
            }
            LOG.error("processing a batch failed unexpectedly; its records are retried after a back-off", cause);
            unbuffer(partition -> true, true);
            rewindToFirst(batch.records());
            backOff("processing failed");
            syncPauses();
            return;
        }
        inFlight = null;
        Set<TopicPartition> assignment = consumer.assignment();
        if (outcome.storeUnavailable()) {
            unbuffer(partition -> true, true); // nothing starts before the back-off is over
        } else if (!outcome.rewind().isEmpty()) {
            unbuffer(outcome.rewind()::containsKey, false); // fetched behind a record that comes again
        }
        outcome.rewind().forEach((partition, offset) -> {
            if (assignment.contains(partition) && !lost.contains(partition)) {
                consumer.seek(partition, offset);
                Duration delay = outcome.retryAfter().get(partition);
                if (delay != null) {
                    pauses.pause(partition, delay);
                }
            }
        });
        if (outcome.storeUnavailable()) {
            dedup.metrics.storeBackOff();
            backOff("store unavailable");
        } else {
            pauses.recovered();
        }
        boolean started = startNext && startBatch();
        if (!started) {
            syncPauses();
        }
        commit(outcome.offsetsToCommit(), assignment, !startNext);
    }

    private void backOff(String why) {
        long millis = pauses.backOffAll();
        LOG.warn(
                "{} (#{} in a row): all partitions paused for {} ms, nothing committed past undecided records",
                why,
                pauses.outages(),
                millis);
    }

    /**
     * Commits what the mode leaves to the runner. Leased mode: asynchronously while running, since the store holds
     * every outcome below these offsets and a lost commit only redelivers duplicates; synchronously ({@code sync})
     * before partitions go and on close, together with every asynchronous commit not yet confirmed.
     */
    private void commit(Map<TopicPartition, OffsetAndMetadata> offsets, Set<TopicPartition> assignment, boolean sync) {
        if (mode.commits() == BatchMode.Commits.MODE) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> owned = new LinkedHashMap<>();
        if (sync && mode.commits() == BatchMode.Commits.RUNNER) {
            owned.putAll(unconfirmed);
        }
        owned.putAll(offsets);
        owned.keySet().removeIf(partition -> !assignment.contains(partition) || lost.contains(partition));
        if (owned.isEmpty()) {
            return;
        }
        if (mode.commits() == BatchMode.Commits.STORE_THEN_RUNNER_ASYNC) {
            consumer.commitAsync(owned, null); // the store holds the real positions; this only feeds lag metrics
            return;
        }
        if (!sync) {
            unconfirmed.putAll(owned);
            consumer.commitAsync(owned, this::confirmed);
            return;
        }
        for (int attempt = 1; ; attempt++) {
            try {
                consumer.commitSync(owned);
                owned.forEach(unconfirmed::remove);
                return;
            } catch (WakeupException e) {
                if (attempt >= 2) {
                    throw e;
                }
                // close() woke us: commit anyway, once more
            } catch (CommitFailedException | RebalanceInProgressException e) {
                // The store already recorded these keys as completed: the next owner's redelivery of these
                // records is answered as duplicates, so nothing runs twice.
                LOG.warn(
                        "could not commit offsets of {} partitions after a rebalance; their records will be"
                                + " redelivered and answered as duplicates: {}",
                        owned.size(),
                        e.toString());
                return;
            } catch (KafkaException e) {
                LOG.warn("could not commit offsets; they are committed with the next batch: {}", e.toString());
                return;
            }
        }
    }

    /** An asynchronous commit's answer, on the poll thread: forget what it confirmed. */
    private void confirmed(Map<TopicPartition, OffsetAndMetadata> offsets, Exception failure) {
        if (failure == null) {
            offsets.forEach(unconfirmed::remove); // only if no later offset was sent meanwhile
        } else {
            LOG.debug("an asynchronous offset commit failed; the next commit covers it: {}", failure.toString());
        }
    }

    /** Commits synchronously what was committed asynchronously and not confirmed yet. Poll thread only. */
    private void flushCommits() {
        if (mode.commits() == BatchMode.Commits.RUNNER && !unconfirmed.isEmpty()) {
            commit(Map.of(), consumer.assignment(), true);
        }
    }

    /** Pauses what must wait (everything while a batch runs or the store is out), resumes the rest. */
    private void syncPauses() {
        Set<TopicPartition> assignment = consumer.assignment();
        Set<TopicPartition> wanted = pauses.paused(assignment, fetchingStopped());
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

    private void rewindToFirst(List<ConsumerRecord<byte[], byte[]>> records) {
        Map<TopicPartition, Long> first = new LinkedHashMap<>();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            first.putIfAbsent(new TopicPartition(record.topic(), record.partition()), record.offset());
        }
        Set<TopicPartition> assignment = consumer.assignment();
        first.forEach((partition, offset) -> {
            if (assignment.contains(partition)) {
                consumer.seek(partition, offset);
            }
        });
    }

    private void shutdown() {
        closing = true;
        try {
            try {
                finishBatch(false);
                flushCommits();
            } catch (RuntimeException e) {
                LOG.warn("could not finish the last batch cleanly: {}", e.toString());
            }
            buffer.clear(); // fetched, never claimed: nothing to give back
            try {
                consumer.close();
            } catch (RuntimeException e) {
                LOG.warn("closing the consumer failed: {}", e.toString());
            }
            handlerThread.shutdownNow();
            closeQuietly(mode);
            for (AutoCloseable resource : owned) {
                closeQuietly(resource);
            }
            dedup.close();
        } finally {
            stopped.countDown();
        }
    }

    static void closeQuietly(AutoCloseable resource) {
        try {
            resource.close();
        } catch (Exception e) {
            LOG.warn("closing {} failed: {}", resource.getClass().getSimpleName(), e.toString());
        }
    }

    private static PollOutcome awaitUninterruptibly(Future<PollOutcome> outcome) throws ExecutionException {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return outcome.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Runs on the poll thread, inside {@code poll}. */
    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            revoking.addAll(partitions); // not-started records of these are released, not run
            try {
                finishBatch(false); // commits what is done while we still own the partitions
                flushCommits();
            } finally {
                forget(partitions);
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            revoking.addAll(partitions);
            lost.addAll(partitions); // not ours any more: commit nothing for them
            try {
                finishBatch(false);
            } finally {
                unconfirmed.keySet().removeAll(partitions);
                forget(partitions);
                lost.removeAll(partitions);
            }
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            revoking.removeAll(partitions);
            mode.startPositions(partitions).forEach(consumer::seek);
            syncPauses(); // a batch in flight keeps new partitions paused too
        }

        private void forget(Collection<TopicPartition> partitions) {
            unbuffer(partitions::contains, false); // fetched, never claimed: the next owner fetches them
            dedup.forget(partitions);
            pauses.forget(partitions);
            revoking.removeAll(partitions);
        }
    }
}
