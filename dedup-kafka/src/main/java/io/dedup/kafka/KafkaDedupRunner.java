package io.dedup.kafka;

import io.dedup.kafka.internal.PollLoop;
import io.dedup.kafka.internal.RunnerThreads;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
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
 * group, so {@code max.poll.interval.ms} is no limit on handler time), and in leased mode claims them ahead on a claim
 * thread. When a batch ends, the next one starts at once from what was fetched and claimed, and, per partition, the offset is committed up to the first record that is not done
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

    private final KafkaDedup dedup;
    private final PollLoop loop;
    private final AtomicBoolean started = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile Thread loopThread;

    KafkaDedupRunner(KafkaDedup dedup, PollLoop loop) {
        this.dedup = dedup;
        this.loop = loop;
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
            loop.subscribe();
            while (!loop.closing()) {
                loop.pollOnce();
            }
        } finally {
            shutdown();
        }
    }

    /** Runs the loop on a new thread, {@code dedup-kafka-runner-<namespace>}, and returns it. */
    public Thread start() {
        return RunnerThreads.start(
                "dedup-kafka-runner-" + dedup.namespace(),
                this::run,
                LOG,
                "dedup Kafka runner of namespace " + dedup.namespace());
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
        loop.requestClose();
        if (!started.get()) {
            if (started.compareAndSet(false, true)) {
                shutdown();
            }
            return;
        }
        loop.wakeup();
        if (loop.isHandlerThread(Thread.currentThread()) || Thread.currentThread() == loopThread) {
            return; // the loop waits for this thread (or is it); it cannot wait for the loop
        }
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Shuts the loop down, then closes the dedup instance (and the store, if it discovered it), and only then lets
     * {@link #close()} callers go on: when close returns, nothing of the runner is left running.
     */
    private void shutdown() {
        try {
            loop.shutdown();
            dedup.close();
        } finally {
            stopped.countDown();
        }
    }

    /** Subscribes without running the loop. For tests, which turn the loop themselves. */
    void subscribe() {
        loop.subscribe();
    }

    /** One turn of the loop. For tests. */
    void pollOnce() {
        loop.pollOnce();
    }

    /** Whether {@code partition} is being revoked. For tests. */
    boolean isRevoking(TopicPartition partition) {
        return loop.isRevoking(partition);
    }
}
