package io.dedup.kafka.share;

import io.dedup.DedupConsumerBuilder;
import io.dedup.DedupSettings;
import io.dedup.KeyExtractor;
import io.dedup.kafka.RecordKeys;
import io.dedup.kafka.internal.ClientConfigs;
import io.dedup.kafka.internal.share.ShareRunnerAssembly;
import io.dedup.kafka.internal.share.ShareRunnerSettings;
import io.dedup.spi.Checks;
import io.dedup.spi.DedupStore;
import io.dedup.spi.TransactionalStore;
import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Configures a {@link KafkaShareDedupRunner}: the share consumer, the topics, where keys live, the store, and one
 * handler, which chooses the mode: {@link #handler} (leased) or {@link #transactionalStore} (the handler's writes,
 * the claims and the completions in one store transaction). Each setter checks its argument and names it when it
 * fails. Not thread-safe.
 */
public final class KafkaShareDedupRunnerBuilder<K, V> {
    /** The broker's default {@code share.delivery.count.limit}. */
    public static final int DEFAULT_DELIVERY_LIMIT = 5;
    /** Suffix of a topic's default dead-letter topic, as in the classic runner. */
    public static final String DEFAULT_DEAD_LETTER_SUFFIX = ".DLT";

    private final Map<String, Object> consumerConfig;
    private final Deserializer<K> keyDeserializer;
    private final Deserializer<V> valueDeserializer;
    private Collection<String> topics = List.of();
    private KeyExtractor<? super ConsumerRecord<?, ?>> keys = RecordKeys.header();
    private final Map<String, KeyExtractor<? super ConsumerRecord<?, ?>>> topicKeys = new HashMap<>();
    private boolean offsetFallback = true;
    private DedupStore store;
    private String namespace;
    private DedupSettings.Builder settings = DedupSettings.custom();
    private Object meterRegistry;
    /** Applied to the dedup consumer's builder after the runner's own settings, which they must not replace. */
    private Consumer<DedupConsumerBuilder<ConsumerRecord<?, ?>>> dedupOptions = b -> {};

    private int deliveryLimit = DEFAULT_DELIVERY_LIMIT;
    private boolean lockRenewal = true;
    private final Map<String, String> deadLetterTopics = new HashMap<>();
    private String deadLetterSuffix = DEFAULT_DEAD_LETTER_SUFFIX;
    private Map<String, Object> deadLetterProducerConfig = Map.of();
    private Duration pollTimeout = Duration.ofMillis(500);
    private Duration firstBackoff = Duration.ofMillis(200);
    private Duration maxBackoff = Duration.ofSeconds(10);
    private ShareRecordHandler<K, V> handler;
    private TransactionalShareHandler<K, V> transactionalHandler;

    KafkaShareDedupRunnerBuilder(Map<String, ?> consumerConfig, Deserializer<K> keys, Deserializer<V> values) {
        this.consumerConfig = new HashMap<>(Objects.requireNonNull(consumerConfig, "consumerConfig"));
        this.keyDeserializer = Objects.requireNonNull(keys, "keyDeserializer");
        this.valueDeserializer = Objects.requireNonNull(values, "valueDeserializer");
    }

    /** Subscribe to these topics. */
    public KafkaShareDedupRunnerBuilder<K, V> topics(String... topics) {
        return topics(List.of(topics));
    }

    /**
     * Subscribe to these topics.
     *
     * @throws IllegalArgumentException if {@code topics} is empty
     */
    public KafkaShareDedupRunnerBuilder<K, V> topics(Collection<String> topics) {
        this.topics = ClientConfigs.topics(topics);
        return this;
    }

    /**
     * Where keys live, for every topic without its own: any {@link RecordKeys} form (header, JSON pointer, content
     * hash, a chain). Default {@link RecordKeys#header()}.
     */
    public KafkaShareDedupRunnerBuilder<K, V> keys(KeyExtractor<? super ConsumerRecord<?, ?>> keys) {
        this.keys = Objects.requireNonNull(keys, "keys");
        return this;
    }

    /** Where keys live on {@code topic}. */
    public KafkaShareDedupRunnerBuilder<K, V> keys(String topic, KeyExtractor<? super ConsumerRecord<?, ?>> keys) {
        topicKeys.put(Objects.requireNonNull(topic, "topic"), Objects.requireNonNull(keys, "keys"));
        return this;
    }

    /**
     * Whether a record whose key is missing is keyed by its topic, partition and offset ({@code
     * offset:TOPIC-PARTITION@OFFSET}), which a share group keeps across redeliveries of the record (but a producer's
     * retry writes a new offset). Default true; when false such a record is dead-lettered as KEY_MISSING. An
     * unreadable key is never replaced by the fallback.
     */
    public KafkaShareDedupRunnerBuilder<K, V> offsetFallback(boolean offsetFallback) {
        this.offsetFallback = offsetFallback;
        return this;
    }

    /** The processed-keys store. Default: the store selected by dependency, closed with the runner. */
    public KafkaShareDedupRunnerBuilder<K, V> store(DedupStore store) {
        this.store = Objects.requireNonNull(store, "store");
        return this;
    }

    /** What keys are unique within. Default: the share group's id. */
    public KafkaShareDedupRunnerBuilder<K, V> namespace(String namespace) {
        this.namespace = Objects.requireNonNull(namespace, "namespace");
        return this;
    }

    /**
     * Retention, renewal, policies and key digests, all at once. The lease is not taken from here: it follows the
     * acquisition lock. Default {@link DedupSettings#ofDefaults()}.
     */
    public KafkaShareDedupRunnerBuilder<K, V> settings(DedupSettings settings) {
        this.settings = DedupSettings.from(settings);
        return this;
    }

    /**
     * Publish core's {@code dedup.*} meters and the runner's {@code dedup.kafka.share.*} counters to this Micrometer
     * {@code MeterRegistry}.
     */
    public KafkaShareDedupRunnerBuilder<K, V> meterRegistry(Object meterRegistry) {
        this.meterRegistry = Objects.requireNonNull(meterRegistry, "meterRegistry");
        return this;
    }

    /**
     * Further settings of the dedup consumer (fingerprints, in-process handler attempts, ...). The runner sets the
     * store, namespace, metrics, keys and the shared {@linkplain #settings settings} before these options; the
     * settings carry the lease that follows the acquisition lock, so the options must not replace them: a {@code
     * settings(...)} call here makes {@link #build()} throw, rather than lose the retention or policies it names
     * (give those to {@link #settings} instead). The options run twice: once on a probe when {@link #build()} checks
     * them, and again when the runner makes its dedup consumer; they should only configure the builder they are given.
     * Options that call {@code settings(...)} only the second time make {@link KafkaShareDedupRunner#run()} throw
     * when the first records arrive, after it released them.
     *
     * @throws IllegalArgumentException from {@link #build()}, not here, if the options call {@code settings(...)} or
     *     one of their setters refuses its argument
     */
    public KafkaShareDedupRunnerBuilder<K, V> dedupOptions(
            Consumer<DedupConsumerBuilder<ConsumerRecord<?, ?>>> options) {
        this.dedupOptions = Objects.requireNonNull(options, "options");
        return this;
    }

    /**
     * The group's {@code share.delivery.count.limit} (default {@value #DEFAULT_DELIVERY_LIMIT}, the broker's
     * default): on the delivery that reaches it, a record that fails or cannot be handled is dead-lettered rather than
     * released (a release then would make the broker archive it).
     *
     * @throws IllegalArgumentException if {@code deliveryLimit} is below 1
     */
    public KafkaShareDedupRunnerBuilder<K, V> deliveryLimit(int deliveryLimit) {
        this.deliveryLimit = Checks.atLeast(deliveryLimit, 1, "deliveryLimit");
        return this;
    }

    /**
     * Whether the runner renews the acquisition locks of records whose handler runs long ({@code
     * AcknowledgeType.RENEW}; the group must set {@code share.renew.acknowledge.enable=true}) and keeps their store
     * leases alive meanwhile. Default true. When false (or when the broker refuses a renewal), a record is held only
     * for its lock, and a handler slower than the lock is fenced once another consumer took the record over.
     */
    public KafkaShareDedupRunnerBuilder<K, V> lockRenewal(boolean lockRenewal) {
        this.lockRenewal = lockRenewal;
        return this;
    }

    /** The dead-letter topic for records of {@code topic}. Default: the topic's name plus {@code .DLT}. */
    public KafkaShareDedupRunnerBuilder<K, V> deadLetterTopic(String topic, String deadLetterTopic) {
        deadLetterTopics.put(
                Objects.requireNonNull(topic, "topic"), Objects.requireNonNull(deadLetterTopic, "deadLetterTopic"));
        return this;
    }

    /** Extra settings for the dead-letter producer, over those taken from the consumer config. */
    public KafkaShareDedupRunnerBuilder<K, V> deadLetterProducerConfig(Map<String, ?> config) {
        this.deadLetterProducerConfig = Map.copyOf(Objects.requireNonNull(config, "config"));
        return this;
    }

    /**
     * How long one poll waits for records. Default 500 ms.
     *
     * @throws IllegalArgumentException if {@code timeout} is not positive
     */
    public KafkaShareDedupRunnerBuilder<K, V> pollTimeout(Duration timeout) {
        this.pollTimeout = Checks.positive(timeout, "timeout");
        return this;
    }

    /**
     * Back-off while the store is unavailable: first wait, doubled per failed try up to {@code max}.
     *
     * @throws IllegalArgumentException if a wait is not positive, or {@code max} is shorter than {@code first}
     */
    public KafkaShareDedupRunnerBuilder<K, V> storeBackoff(Duration first, Duration max) {
        ClientConfigs.checkBackoff(first, max);
        this.firstBackoff = first;
        this.maxBackoff = max;
        return this;
    }

    /** The leased mode: run {@code handler} at most once at a time per key, and not again once its key completed. */
    public KafkaShareDedupRunnerBuilder<K, V> handler(ShareRecordHandler<K, V> handler) {
        this.handler = Objects.requireNonNull(handler, "handler");
        this.transactionalHandler = null;
        return this;
    }

    /**
     * The transactional mode: per poll, the claims, {@code handler}'s writes (through the transaction it is given)
     * and the completions commit in one store transaction, and only then are the records accepted. Needs a store
     * with transactions ({@code dedup-jdbc-store}).
     */
    public KafkaShareDedupRunnerBuilder<K, V> transactionalStore(TransactionalShareHandler<K, V> handler) {
        this.transactionalHandler = Objects.requireNonNull(handler, "handler");
        this.handler = null;
        return this;
    }

    String namespace() {
        return namespace != null ? namespace : String.valueOf(consumerConfig.get(ConsumerConfig.GROUP_ID_CONFIG));
    }

    /**
     * @throws IllegalArgumentException if no topics or handler were set, the config has no {@code group.id}, it
     *     sets an acknowledgement mode other than explicit, the retention is shorter than the default lease, or the
     *     {@linkplain #dedupOptions dedup options} call {@code settings(...)} or set a value their builder refuses
     * @throws IllegalStateException for the transactional mode over a store without transactions
     * @throws io.dedup.DedupConfigurationException if no store was set and none can be chosen
     */
    public KafkaShareDedupRunner<K, V> build() {
        if (topics.isEmpty()) {
            throw new IllegalArgumentException("no topics to subscribe to: call topics(...)");
        }
        if (handler == null && transactionalHandler == null) {
            throw new IllegalArgumentException("no handler: call handler(...) or transactionalStore(...)");
        }
        String groupId = ClientConfigs.requireGroupId(consumerConfig, "the share group's name");
        Object mode = consumerConfig.get(ConsumerConfig.SHARE_ACKNOWLEDGEMENT_MODE_CONFIG);
        if (mode != null && !"explicit".equalsIgnoreCase(mode.toString())) {
            throw new IllegalArgumentException(
                    "share.acknowledgement.mode must be explicit: the runner accepts only what the store recorded");
        }
        // checked here for a store given; a discovered one is checked when the loop makes its dedup consumer
        if (transactionalHandler != null
                && store != null
                && store.capability(TransactionalStore.class).isEmpty()) {
            throw new IllegalStateException(
                    "transactionalStore needs a store with transactions (dedup-jdbc-store), got " + store.describe());
        }
        String ns = namespace();
        ShareRunnerSettings<K, V> validated = new ShareRunnerSettings<>(
                Collections.unmodifiableMap(new HashMap<>(consumerConfig)),
                groupId,
                keyDeserializer,
                valueDeserializer,
                topics,
                ns,
                Map.copyOf(topicKeys),
                keys,
                offsetFallback,
                store,
                settings.build(),
                meterRegistry,
                dedupOptions,
                deliveryLimit,
                lockRenewal,
                Map.copyOf(deadLetterTopics),
                deadLetterSuffix,
                deadLetterProducerConfig,
                pollTimeout,
                firstBackoff,
                maxBackoff,
                handler,
                transactionalHandler);
        return new KafkaShareDedupRunner<>(ns, ShareRunnerAssembly.loop(validated));
    }
}
