package io.dedup.kafka;

import io.dedup.MessageHandler;
import io.dedup.kafka.internal.BatchMode;
import io.dedup.kafka.internal.ClientConfigs;
import io.dedup.kafka.internal.KafkaClients;
import io.dedup.kafka.internal.KafkaTransactionMode;
import io.dedup.kafka.internal.LeasedMode;
import io.dedup.kafka.internal.PollLoop;
import io.dedup.kafka.internal.Resources;
import io.dedup.kafka.internal.StoreTransactionMode;
import io.dedup.spi.Checks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Configures a {@link KafkaDedupRunner}: the consumer, the topics, the dedup settings, and one handler, which
 * chooses the mode: {@link #handler} (leased, the default), {@link #transactionalProducer} (Kafka to Kafka) or
 * {@link #transactionalStore} (Kafka to a database). Get one from {@link KafkaDedupRunner#builder}. Not thread-safe.
 */
public final class KafkaDedupRunnerBuilder<K, V> {
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
    private int maxBufferedRecords = KafkaDedupRunner.DEFAULT_MAX_BUFFERED_RECORDS;

    /** Builds the mode once the consumer, dedup and dead-letter publisher exist. */
    interface ModeFactory<K, V> {
        BatchMode create(KafkaDedup dedup, KafkaDedupRunnerBuilder<K, V> builder, List<AutoCloseable> owned);
    }

    KafkaDedupRunnerBuilder(Map<String, ?> consumerConfig, Deserializer<K> keys, Deserializer<V> values) {
        Objects.requireNonNull(consumerConfig, "consumerConfig");
        this.consumerConfig = new HashMap<>(consumerConfig);
        this.keyDeserializer = Objects.requireNonNull(keys, "keyDeserializer");
        this.valueDeserializer = Objects.requireNonNull(values, "valueDeserializer");
    }

    /** Subscribe to these topics. */
    public KafkaDedupRunnerBuilder<K, V> topics(String... topics) {
        return topics(List.of(topics));
    }

    /**
     * Subscribe to these topics.
     *
     * @throws IllegalArgumentException if {@code topics} is empty
     */
    public KafkaDedupRunnerBuilder<K, V> topics(Collection<String> topics) {
        this.topics = ClientConfigs.topics(topics);
        this.pattern = null;
        return this;
    }

    /** Subscribe to the topics matching {@code pattern}. */
    public KafkaDedupRunnerBuilder<K, V> topics(Pattern pattern) {
        this.pattern = Objects.requireNonNull(pattern, "pattern");
        this.topics = List.of();
        return this;
    }

    /**
     * Dedup settings: store, key sources per topic, retries, dead-letter topics. Default: {@code
     * KafkaDedup.builder().properties(consumerConfig)}. The group id is the namespace unless the builder sets
     * one.
     */
    public KafkaDedupRunnerBuilder<K, V> dedup(KafkaDedup.Builder dedup) {
        this.dedup = Objects.requireNonNull(dedup, "dedup");
        return this;
    }

    /** The leased mode (the default mode): run {@code handler} at most once per key. */
    public KafkaDedupRunnerBuilder<K, V> handler(MessageHandler<? super ConsumerRecord<K, V>> handler) {
        this.handler = Objects.requireNonNull(handler, "handler");
        this.modeFactory = null;
        this.deadLettersByProducer = true;
        this.readCommitted = false;
        return this;
    }

    /**
     * Extra settings for the dead-letter producer, over those taken from the consumer config. The runner makes that
     * producer only when nothing else sends its dead letters, so {@link #build()} refuses this together with a
     * {@code DeadLetterPublisher} set with {@code KafkaDedup.Builder.deadLetters(...)}, and in the {@linkplain
     * #transactionalProducer transactional-producer mode}, whose dead letters go through its own producer.
     */
    public KafkaDedupRunnerBuilder<K, V> deadLetterProducerConfig(Map<String, ?> config) {
        this.deadLetterProducerConfig = Map.copyOf(Objects.requireNonNull(config, "config"));
        return this;
    }

    /**
     * How long one poll waits for records. Default 500 ms.
     *
     * @throws IllegalArgumentException if {@code timeout} is not positive
     */
    public KafkaDedupRunnerBuilder<K, V> pollTimeout(Duration timeout) {
        this.pollTimeout = Checks.positive(timeout, "timeout");
        return this;
    }

    /**
     * How many records the runner fetches ahead while a batch runs, to start them as the next batch as soon as it
     * ends. Default {@value KafkaDedupRunner#DEFAULT_MAX_BUFFERED_RECORDS}. When the buffer holds this many, every
     * partition pauses until the next batch takes them; 0 fetches nothing ahead (each batch waits for its poll).
     * In leased mode, once half of this is buffered (or a poll brings nothing new) the buffered records are claimed
     * ahead, behind the batch in flight, so that the next batch's claim round trip overlaps this one's handlers; claims
     * ahead are given back unrun when a record must be sought back to, the store backs off, a partition is revoked or
     * the runner closes.
     *
     * @throws IllegalArgumentException if {@code records} is negative
     */
    public KafkaDedupRunnerBuilder<K, V> maxBufferedRecords(int records) {
        this.maxBufferedRecords = Checks.notNegative(records, "records");
        return this;
    }

    /**
     * Back-off while the store is unavailable: first wait, doubled per outage up to {@code max}.
     *
     * @throws IllegalArgumentException if a wait is not positive, or {@code max} is shorter than {@code first}
     */
    public KafkaDedupRunnerBuilder<K, V> storeBackoff(Duration first, Duration max) {
        ClientConfigs.checkBackoff(first, max);
        this.storeBackoff = first;
        this.maxStoreBackoff = max;
        return this;
    }

    /**
     * Use this consumer instead of creating one (for tests, or a consumer wrapped by instrumentation). It must
     * read byte arrays with auto-commit off; the runner owns it from now on and closes it.
     */
    public KafkaDedupRunnerBuilder<K, V> consumer(Consumer<byte[], byte[]> consumer) {
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
     * <p>Dead letters go through this producer too, so {@link #build()} refuses a {@code DeadLetterPublisher} set
     * with {@code KafkaDedup.Builder.deadLetters(...)} and a {@link #deadLetterProducerConfig}, which this mode would
     * not use.
     *
     * @param producerConfig producer settings over those taken from the consumer config
     */
    public <OK, OV> KafkaDedupRunnerBuilder<K, V> transactionalProducer(
            Map<String, ?> producerConfig,
            Serializer<OK> keySerializer,
            Serializer<OV> valueSerializer,
            ProducingHandler<K, V, OK, OV> handler) {
        Map<String, Object> config = new HashMap<>(Objects.requireNonNull(producerConfig, "producerConfig"));
        Objects.requireNonNull(keySerializer, "keySerializer");
        Objects.requireNonNull(valueSerializer, "valueSerializer");
        Objects.requireNonNull(handler, "handler");
        this.modeFactory = (dedup, builder, owned) -> KafkaTransactionMode.create(
                dedup.context(),
                ClientConfigs.producerConfig(builder.consumerConfig),
                config,
                builder.keyDeserializer,
                builder.valueDeserializer,
                keySerializer,
                valueSerializer,
                handler);
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
    public KafkaDedupRunnerBuilder<K, V> transactionalStore(TransactionalRecordHandler<K, V> handler) {
        Objects.requireNonNull(handler, "handler");
        this.modeFactory = (dedup, builder, owned) ->
                new StoreTransactionMode<>(dedup.context(), keyDeserializer, valueDeserializer, handler);
        this.handler = null;
        this.deadLettersByProducer = true;
        this.readCommitted = false;
        return this;
    }

    /**
     * @throws IllegalArgumentException if no topics or handler were set, the config has no {@code group.id} or
     *     turns auto-commit on, or dead-letter settings would not be used: a dead-letter publisher in the
     *     transactional-producer mode, a dead-letter producer config there or next to a publisher
     * @throws io.dedup.DedupConfigurationException if the store cannot be chosen
     */
    public KafkaDedupRunner<K, V> build() {
        KafkaClients.requireSupported();
        if (topics.isEmpty() && pattern == null) {
            throw new IllegalArgumentException("no topics to subscribe to: call topics(...)");
        }
        if (handler == null && modeFactory == null) {
            throw new IllegalArgumentException("no handler: call handler(...)");
        }
        String groupId = ClientConfigs.requireGroupId(consumerConfig, "the runner commits offsets");
        Object autoCommit = consumerConfig.get(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG);
        if (autoCommit != null && Boolean.parseBoolean(autoCommit.toString())) {
            throw new IllegalArgumentException(
                    "enable.auto.commit must be false: the runner commits only what the store recorded");
        }
        // Everything created from here on is closed again if a later step fails, so that a failed build leaves no
        // producer, consumer or discovered store behind.
        List<AutoCloseable> owned = new ArrayList<>();
        KafkaDedup.Builder settings = dedup != null ? dedup : KafkaDedup.builder();
        if (dedup == null) {
            settings.properties(consumerConfig);
        } else if (!settings.hasGroupOrNamespace()) {
            settings.groupId(groupId);
        }
        if (!deadLettersByProducer && settings.hasDeadLetters()) {
            // it would be dropped without a word: that mode's dead letters must commit with its output and offsets
            throw new IllegalArgumentException("transactionalProducer sends dead letters with its own transactional"
                    + " producer, in the transaction of the poll's output and offsets: remove the DeadLetterPublisher"
                    + " set with KafkaDedup.Builder.deadLetters(...), which would never be used");
        }
        if (!deadLetterProducerConfig.isEmpty() && (!deadLettersByProducer || settings.hasDeadLetters())) {
            // the runner makes a dead-letter producer only when nobody else sends its dead letters
            throw new IllegalArgumentException("deadLetterProducerConfig(...) configures the producer the runner makes"
                    + " for dead letters, and none is made here: "
                    + (deadLettersByProducer
                            ? "a DeadLetterPublisher was set with KafkaDedup.Builder.deadLetters(...)"
                            : "transactionalProducer sends them with its own producer")
                    + "; remove one of the two");
        }
        KafkaDedup built = null;
        try {
            // the transactional-producer mode sends dead letters in its own transaction, so it needs no producer here
            if (deadLettersByProducer && !settings.hasDeadLetters()) {
                Producer<byte[], byte[]> producer = ClientConfigs.deadLetterProducer(
                        consumerConfig, groupId + "-dead-letters", deadLetterProducerConfig);
                owned.add(producer);
                settings.deadLetters(KafkaDeadLetterPublisher.of(producer));
            }
            built = settings.build();
            BatchMode mode = modeFactory != null
                    ? modeFactory.create(built, this, owned)
                    : new LeasedMode<>(built.batches(), keyDeserializer, valueDeserializer, handler);
            if (consumer == null) {
                Map<String, Object> config = ClientConfigs.consumerConfig(consumerConfig);
                // auto-commit would commit offsets of records the store has not recorded yet
                config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
                // Kafka to Kafka: reading another instance's aborted output would break exactly once downstream
                if (readCommitted) {
                    config.putIfAbsent(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
                }
                try {
                    consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
                } catch (RuntimeException e) {
                    Resources.closeQuietly(mode);
                    throw e;
                }
            }
            PollLoop loop = new PollLoop(
                    consumer,
                    topics,
                    pattern,
                    mode,
                    owned,
                    built.context(),
                    pollTimeout,
                    storeBackoff,
                    maxStoreBackoff,
                    maxBufferedRecords);
            return new KafkaDedupRunner<>(built, loop);
        } catch (RuntimeException e) {
            owned.forEach(Resources::closeQuietly);
            if (built != null) {
                built.close();
            }
            throw e;
        }
    }
}
