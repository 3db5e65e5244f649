package io.dedup.kafka;

import io.dedup.MessageHandler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
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
 * <p>Each poll: one claim round trip and one completion round trip per topic; handlers run on a handler thread in
 * offset order per partition while the poll thread keeps the consumer in its group (all partitions paused, so
 * {@code max.poll.interval.ms} is no limit on handler time); then, per partition, the offset is committed up to
 * the first record that is not done. A record whose key is in progress elsewhere, or whose handler failed with
 * attempts left, is sought back to and its partition paused for a back-off. When the store is unavailable, all
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
    /** How often the poll thread polls (all partitions paused) while handlers run. */
    static final Duration KEEP_ALIVE = Duration.ofMillis(50);

    private final Consumer<byte[], byte[]> consumer;
    private final Collection<String> topics;
    private final Pattern pattern;
    private final KafkaDedup dedup;
    private final BatchMode mode;
    private final List<AutoCloseable> owned;
    private final Duration pollTimeout;
    private final Duration storeBackoff;
    private final Duration maxStoreBackoff;
    private final ExecutorService handlerThread;

    private final Set<TopicPartition> revoking = ConcurrentHashMap.newKeySet();
    private final Map<TopicPartition, Long> pausedUntil = new HashMap<>();
    private final Set<TopicPartition> lost = new HashSet<>();
    private final AtomicBoolean started = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean closing;
    private volatile Thread handlerThreadRef;
    private boolean subscribed;
    private InFlight inFlight;
    private long storeBackoffUntil;
    private int storeOutages;

    /** A poll's records on their way through the handler thread. */
    private record InFlight(List<ConsumerRecord<byte[], byte[]>> records, Future<PollOutcome> outcome) {}

    private KafkaDedupRunner(Builder<K, V> b, KafkaDedup dedup, BatchMode mode, List<AutoCloseable> owned) {
        this.consumer = b.consumer;
        this.topics = b.topics;
        this.pattern = b.pattern;
        this.dedup = dedup;
        this.mode = mode;
        this.owned = owned;
        this.pollTimeout = b.pollTimeout;
        this.storeBackoff = b.storeBackoff;
        this.maxStoreBackoff = b.maxStoreBackoff;
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
    public static <K, V> Builder<K, V> builder(
            Map<String, ?> consumerConfig, Deserializer<K> keyDeserializer, Deserializer<V> valueDeserializer) {
        return new Builder<>(consumerConfig, keyDeserializer, valueDeserializer);
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
        if (Thread.currentThread() == handlerThreadRef) {
            return; // the loop waits for this handler; it cannot wait for the loop
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

    /** One turn of the loop: resume what is due, poll, process the batch. Package-private for tests. */
    void pollOnce() {
        syncPauses();
        ConsumerRecords<byte[], byte[]> records;
        try {
            records = consumer.poll(nextPollTimeout());
        } catch (WakeupException e) {
            return; // close() asks; the loop condition decides
        }
        if (!records.isEmpty()) {
            runBatch(records);
        }
    }

    private Duration nextPollTimeout() {
        long now = System.nanoTime();
        long wait = pollTimeout.toNanos();
        if (storeBackoffUntil - now > 0) {
            wait = Math.min(wait, storeBackoffUntil - now);
        }
        for (long until : pausedUntil.values()) {
            wait = Math.min(wait, Math.max(0, until - now));
        }
        return Duration.ofNanos(Math.max(wait, TimeUnit.MILLISECONDS.toNanos(1)));
    }

    private void runBatch(ConsumerRecords<byte[], byte[]> records) {
        List<ConsumerRecord<byte[], byte[]>> list = new ArrayList<>(records.count());
        records.forEach(list::add);
        var group = consumer.groupMetadata();
        Future<PollOutcome> outcome = handlerThread.submit(() -> mode.process(list, this::startable, group));
        inFlight = new InFlight(list, outcome);
        syncPauses(); // all paused: polls below only keep the member alive
        while (inFlight != null && !outcome.isDone()) {
            try {
                outcome.get(KEEP_ALIVE.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException | ExecutionException stillRunningOrFailed) {
                // ExecutionException is handled in finishBatch
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                closing = true;
            }
            if (outcome.isDone()) {
                break;
            }
            try {
                ConsumerRecords<byte[], byte[]> stray = consumer.poll(KEEP_ALIVE);
                rewindTo(stray); // partitions assigned mid-batch and not yet paused
            } catch (WakeupException e) {
                // close(): the batch finishes first, then the loop ends
            }
        }
        finishBatch();
    }

    /** Whether {@code partition} is being revoked. For tests. */
    boolean isRevoking(TopicPartition partition) {
        return revoking.contains(partition);
    }

    private boolean startable(TopicPartition partition) {
        return !closing && !revoking.contains(partition);
    }

    /** Waits for the batch in flight, if any, and acts on its outcome. Idempotent; poll thread only. */
    private void finishBatch() {
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
            rewindToFirst(batch.records());
            backOff("processing failed");
            syncPauses();
            return;
        }
        inFlight = null;
        Set<TopicPartition> assignment = consumer.assignment();
        commit(outcome.offsetsToCommit(), assignment);
        long now = System.nanoTime();
        outcome.rewind().forEach((partition, offset) -> {
            if (assignment.contains(partition) && !lost.contains(partition)) {
                consumer.seek(partition, offset);
                Duration delay = outcome.retryAfter().get(partition);
                if (delay != null) {
                    pausedUntil.put(partition, now + delay.toNanos());
                }
            }
        });
        if (outcome.storeUnavailable()) {
            dedup.metrics.storeBackOff();
            backOff("store unavailable");
        } else {
            storeOutages = 0;
        }
        syncPauses();
    }

    private void backOff(String why) {
        storeOutages++;
        long delay = storeBackoff.toNanos();
        for (int i = 1; i < storeOutages && delay < maxStoreBackoff.toNanos(); i++) {
            delay *= 2;
        }
        delay = Math.min(delay, maxStoreBackoff.toNanos());
        storeBackoffUntil = System.nanoTime() + delay;
        LOG.warn(
                "{} (#{} in a row): all partitions paused for {} ms, nothing committed past undecided records",
                why,
                storeOutages,
                TimeUnit.NANOSECONDS.toMillis(delay));
    }

    private void commit(Map<TopicPartition, OffsetAndMetadata> offsets, Set<TopicPartition> assignment) {
        if (mode.commits() == BatchMode.Commits.MODE || offsets.isEmpty()) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> owned = new LinkedHashMap<>();
        offsets.forEach((partition, offset) -> {
            if (assignment.contains(partition) && !lost.contains(partition)) {
                owned.put(partition, offset);
            }
        });
        if (owned.isEmpty()) {
            return;
        }
        if (mode.commits() == BatchMode.Commits.STORE_THEN_RUNNER_ASYNC) {
            consumer.commitAsync(owned, null); // the store holds the real positions; this only feeds lag metrics
            return;
        }
        for (int attempt = 1; ; attempt++) {
            try {
                consumer.commitSync(owned);
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

    /** Pauses what must wait (everything while a batch runs or the store is out), resumes the rest. */
    private void syncPauses() {
        Set<TopicPartition> assignment = consumer.assignment();
        long now = System.nanoTime();
        boolean all = inFlight != null || storeBackoffUntil - now > 0;
        pausedUntil.entrySet().removeIf(e -> !assignment.contains(e.getKey()) || e.getValue() - now <= 0);
        Set<TopicPartition> wanted = all ? new HashSet<>(assignment) : new HashSet<>(pausedUntil.keySet());
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

    private void rewindTo(ConsumerRecords<byte[], byte[]> stray) {
        if (stray.isEmpty()) {
            return;
        }
        List<ConsumerRecord<byte[], byte[]>> list = new ArrayList<>();
        stray.forEach(list::add);
        rewindToFirst(list);
        syncPauses();
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
            if (inFlight != null) {
                try {
                    finishBatch();
                } catch (RuntimeException e) {
                    LOG.warn("could not finish the last batch cleanly: {}", e.toString());
                }
            }
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

    private static void closeQuietly(AutoCloseable resource) {
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
                finishBatch(); // commits what is done while we still own the partitions
            } finally {
                forget(partitions);
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            revoking.addAll(partitions);
            lost.addAll(partitions); // not ours any more: commit nothing for them
            try {
                finishBatch();
            } finally {
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
            dedup.forget(partitions);
            partitions.forEach(pausedUntil::remove);
            revoking.removeAll(partitions);
        }
    }

    /**
     * Configures a {@link KafkaDedupRunner}: the consumer, the topics, the dedup settings, and one handler, which
     * chooses the mode. Not thread-safe.
     */
    public static final class Builder<K, V> {
        private final Map<String, Object> consumerConfig;
        private final Deserializer<K> keyDeserializer;
        private final Deserializer<V> valueDeserializer;
        private Consumer<byte[], byte[]> consumer;
        private Collection<String> topics = List.of();
        private Pattern pattern;
        private KafkaDedup.Builder dedup;
        private MessageHandler<? super ConsumerRecord<K, V>> handler;
        private ModeFactory<K, V> modeFactory;
        private boolean deadLettersByProducer = true;
        private boolean readCommitted;
        private Map<String, Object> deadLetterProducerConfig = Map.of();
        private Duration pollTimeout = Duration.ofMillis(500);
        private Duration storeBackoff = Duration.ofMillis(200);
        private Duration maxStoreBackoff = Duration.ofSeconds(10);

        /** Builds the mode once the consumer, dedup and dead-letter publisher exist. */
        interface ModeFactory<K, V> {
            BatchMode create(KafkaDedup dedup, Builder<K, V> builder, List<AutoCloseable> owned);
        }

        private Builder(Map<String, ?> consumerConfig, Deserializer<K> keys, Deserializer<V> values) {
            Objects.requireNonNull(consumerConfig, "consumerConfig");
            this.consumerConfig = new HashMap<>(consumerConfig);
            this.keyDeserializer = Objects.requireNonNull(keys, "keyDeserializer");
            this.valueDeserializer = Objects.requireNonNull(values, "valueDeserializer");
        }

        /** Subscribe to these topics. */
        public Builder<K, V> topics(String... topics) {
            return topics(List.of(topics));
        }

        /** Subscribe to these topics. */
        public Builder<K, V> topics(Collection<String> topics) {
            Objects.requireNonNull(topics, "topics");
            if (topics.isEmpty()) {
                throw new IllegalArgumentException("topics must not be empty");
            }
            this.topics = List.copyOf(topics);
            this.pattern = null;
            return this;
        }

        /** Subscribe to the topics matching {@code pattern}. */
        public Builder<K, V> topics(Pattern pattern) {
            this.pattern = Objects.requireNonNull(pattern, "pattern");
            this.topics = List.of();
            return this;
        }

        /**
         * Dedup settings: store, key sources per topic, retries, dead-letter topics. Default: {@code
         * KafkaDedup.builder().properties(consumerConfig)}. The group id is the namespace unless the builder sets
         * one.
         */
        public Builder<K, V> dedup(KafkaDedup.Builder dedup) {
            this.dedup = Objects.requireNonNull(dedup, "dedup");
            return this;
        }

        /** The leased mode (the default mode): run {@code handler} at most once per key. */
        public Builder<K, V> handler(MessageHandler<? super ConsumerRecord<K, V>> handler) {
            this.handler = Objects.requireNonNull(handler, "handler");
            this.modeFactory = null;
            this.deadLettersByProducer = true;
            this.readCommitted = false;
            return this;
        }

        /** Extra settings for the dead-letter producer, over those taken from the consumer config. */
        public Builder<K, V> deadLetterProducerConfig(Map<String, ?> config) {
            this.deadLetterProducerConfig = Map.copyOf(Objects.requireNonNull(config, "config"));
            return this;
        }

        /** How long one poll waits for records. Default 500 ms. */
        public Builder<K, V> pollTimeout(Duration timeout) {
            this.pollTimeout = positive(timeout, "timeout");
            return this;
        }

        /** Back-off while the store is unavailable: first wait, doubled per outage up to {@code max}. */
        public Builder<K, V> storeBackoff(Duration first, Duration max) {
            positive(first, "first");
            positive(max, "max");
            if (max.compareTo(first) < 0) {
                throw new IllegalArgumentException("max (" + max + ") must not be shorter than first (" + first + ")");
            }
            this.storeBackoff = first;
            this.maxStoreBackoff = max;
            return this;
        }

        /**
         * Use this consumer instead of creating one (for tests, or a consumer wrapped by instrumentation). It must
         * read byte arrays with auto-commit off; the runner owns it from now on and closes it.
         */
        public Builder<K, V> consumer(Consumer<byte[], byte[]> consumer) {
            this.consumer = Objects.requireNonNull(consumer, "consumer");
            return this;
        }

        /**
         * The transactional-producer mode (Kafka to Kafka): {@code handler} sends its output to the sink it is
         * given; output, dead letters and consumed offsets commit in one Kafka transaction ({@code
         * sendOffsetsToTransaction}), and the keys are completed in the store right after. Consumers of the output
         * must read with {@code isolation.level=read_committed}; the runner's own consumer does.
         *
         * <p>Set {@code transactional.id} in {@code producerConfig}, stable per instance (e.g. the host name): a
         * restarted instance then fences its predecessor and aborts its open transaction at once. Without it the
         * runner makes one up, and a crashed instance's open transaction holds read_committed consumers back until
         * {@code transaction.timeout.ms}.
         *
         * @param producerConfig producer settings over those taken from the consumer config
         */
        public <OK, OV> Builder<K, V> transactionalProducer(
                Map<String, ?> producerConfig,
                Serializer<OK> keySerializer,
                Serializer<OV> valueSerializer,
                ProducingHandler<K, V, OK, OV> handler) {
            Map<String, Object> config = new HashMap<>(Objects.requireNonNull(producerConfig, "producerConfig"));
            Objects.requireNonNull(keySerializer, "keySerializer");
            Objects.requireNonNull(valueSerializer, "valueSerializer");
            Objects.requireNonNull(handler, "handler");
            this.modeFactory = (dedup, builder, owned) -> {
                Map<String, Object> full = builder.producerConfigFromConsumer();
                full.putAll(config);
                full.put(ProducerConfig.ACKS_CONFIG, "all");
                full.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
                full.putIfAbsent(
                        ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                        dedup.namespace() + "-" + UUID.randomUUID().toString().substring(0, 8));
                Producer<byte[], byte[]> producer =
                        new KafkaProducer<>(full, new ByteArraySerializer(), new ByteArraySerializer());
                try {
                    return new KafkaTransactionMode<>(
                            dedup,
                            builder.keyDeserializer,
                            builder.valueDeserializer,
                            keySerializer,
                            valueSerializer,
                            handler,
                            producer);
                } catch (RuntimeException e) {
                    producer.close();
                    throw e;
                }
            };
            this.handler = null;
            this.deadLettersByProducer = false; // dead letters go into the transaction
            this.readCommitted = true;
            return this;
        }

        /**
         * The Kafka-to-database mode: claims, {@code handler}'s writes (through the transaction it is given),
         * completions and consumed offsets commit in one store transaction; on assignment the consumer seeks to the
         * offsets the store holds. Needs a store with transactions ({@code dedup-jdbc-store}).
         */
        public Builder<K, V> transactionalStore(TransactionalRecordHandler<K, V> handler) {
            Objects.requireNonNull(handler, "handler");
            this.modeFactory = (dedup, builder, owned) ->
                    new StoreTransactionMode<>(dedup, keyDeserializer, valueDeserializer, handler);
            this.handler = null;
            this.deadLettersByProducer = true;
            this.readCommitted = false;
            return this;
        }

        Map<String, Object> consumerConfig() {
            return consumerConfig;
        }

        Deserializer<K> keyDeserializer() {
            return keyDeserializer;
        }

        Deserializer<V> valueDeserializer() {
            return valueDeserializer;
        }

        /** Producer settings taken over from the consumer's: where the cluster is and how to reach it. */
        Map<String, Object> producerConfigFromConsumer() {
            Map<String, Object> config = new HashMap<>();
            Set<String> producerNames = ProducerConfig.configNames();
            consumerConfig.forEach((key, value) -> {
                if (producerNames.contains(key)
                        && !key.equals(ProducerConfig.CLIENT_ID_CONFIG)
                        && !key.endsWith(".serializer")
                        && !key.startsWith("interceptor")
                        && !key.equals(ProducerConfig.INTERCEPTOR_CLASSES_CONFIG)) {
                    config.put(key, value);
                }
            });
            return config;
        }

        /**
         * @throws IllegalArgumentException if no topics or handler were set, or the config has no {@code group.id}
         *     or turns auto-commit on
         * @throws io.dedup.DedupConfigurationException if the store cannot be chosen
         */
        public KafkaDedupRunner<K, V> build() {
            if (topics.isEmpty() && pattern == null) {
                throw new IllegalArgumentException("no topics to subscribe to: call topics(...)");
            }
            if (handler == null && modeFactory == null) {
                throw new IllegalArgumentException("no handler: call handler(...)");
            }
            Object groupId = consumerConfig.get(ConsumerConfig.GROUP_ID_CONFIG);
            if (groupId == null || groupId.toString().isEmpty()) {
                throw new IllegalArgumentException("consumerConfig needs group.id: the runner commits offsets");
            }
            Object autoCommit = consumerConfig.get(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG);
            if (autoCommit != null && Boolean.parseBoolean(autoCommit.toString())) {
                throw new IllegalArgumentException(
                        "enable.auto.commit must be false: the runner commits only what the store recorded");
            }
            List<AutoCloseable> owned = new ArrayList<>();
            KafkaDedup.Builder settings = dedup != null ? dedup : KafkaDedup.builder();
            if (dedup == null) {
                settings.properties(consumerConfig);
            } else if (!settings.hasGroupOrNamespace()) {
                settings.groupId(groupId.toString());
            }
            KafkaDedup built = null;
            try {
                if (deadLettersByProducer && !settings.hasDeadLetters()) {
                    Map<String, Object> producerConfig = producerConfigFromConsumer();
                    producerConfig.put(ProducerConfig.ACKS_CONFIG, "all");
                    producerConfig.put(ProducerConfig.CLIENT_ID_CONFIG, groupId + "-dead-letters");
                    producerConfig.putAll(deadLetterProducerConfig);
                    Producer<byte[], byte[]> producer =
                            new KafkaProducer<>(producerConfig, new ByteArraySerializer(), new ByteArraySerializer());
                    owned.add(producer);
                    settings.deadLetters(KafkaDeadLetterPublisher.of(producer));
                }
                built = settings.build();
                BatchMode mode = modeFactory != null
                        ? modeFactory.create(built, this, owned)
                        : new LeasedMode<>(built, keyDeserializer, valueDeserializer, handler);
                if (consumer == null) {
                    Map<String, Object> config = new HashMap<>(consumerConfig);
                    config.keySet().removeIf(key -> key.startsWith("dedup."));
                    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
                    if (readCommitted) {
                        config.putIfAbsent(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
                    }
                    try {
                        consumer =
                                new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
                    } catch (RuntimeException e) {
                        closeQuietly(mode);
                        throw e;
                    }
                }
                return new KafkaDedupRunner<>(this, built, mode, owned);
            } catch (RuntimeException e) {
                owned.forEach(KafkaDedupRunner::closeQuietly);
                if (built != null) {
                    built.close();
                }
                throw e;
            }
        }

        private static Duration positive(Duration value, String name) {
            Objects.requireNonNull(value, name);
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, got " + value);
            }
            return value;
        }
    }
}
