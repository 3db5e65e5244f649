package io.dedup.kafka;

import io.dedup.DedupConsumer;
import io.dedup.DedupKey;
import io.dedup.DedupSettings;
import io.dedup.DedupStores;
import io.dedup.FailurePolicy;
import io.dedup.IdempotencyKeyException;
import io.dedup.KeyExtractor;
import io.dedup.MessageHandler;
import io.dedup.StoreUnavailablePolicy;
import io.dedup.spi.Checks;
import io.dedup.spi.DedupStore;
import io.dedup.spi.StoreSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Dedup for Kafka records: wraps record and batch handlers, and processes a whole poll for applications that keep
 * their own poll loop, telling them which offsets are safe to commit. {@link KafkaDedupRunner} builds on it for
 * those who want the loop done for them.
 *
 * <pre>{@code
 * KafkaDedup dedup = KafkaDedup.builder()
 *         .groupId("billing")                                   // the namespace of keys
 *         .topicKeys("payments", RecordKeys.jsonPointer("/paymentId"))
 *         .deadLetters(KafkaDeadLetterPublisher.of(producer))
 *         .build();
 * while (running) {
 *     PollOutcome outcome = dedup.process(consumer.poll(Duration.ofSeconds(1)), record -> charge(record));
 *     consumer.commitSync(outcome.offsetsToCommit());
 *     outcome.rewind().forEach(consumer::seek);
 * }
 * }</pre>
 *
 * <p>Each topic gets its own {@link DedupConsumer} (its key extractor, and metrics tagged {@code topic}); all share
 * the store and the namespace, which defaults to the consumer group id.
 *
 * <p>Thread-safe. {@link #process} keeps per-record memory (failure counts, dead letters sent) for the partitions a
 * consumer owns: call {@link #forget} when partitions are revoked.
 */
public final class KafkaDedup implements AutoCloseable {
    /** Suffix of a topic's default dead-letter topic. */
    public static final String DEFAULT_DEAD_LETTER_SUFFIX = ".DLT";
    /** Default number of handler attempts per record before it is dead-lettered. */
    public static final int DEFAULT_MAX_ATTEMPTS = 3;
    /** Default back-off before the second attempt; it doubles per attempt up to the maximum. */
    public static final Duration DEFAULT_RETRY_BACKOFF = Duration.ofMillis(500);
    /** Default longest back-off between attempts. */
    public static final Duration DEFAULT_MAX_RETRY_BACKOFF = Duration.ofSeconds(30);
    /**
     * Default first wait before retrying a record whose key is in progress elsewhere; it doubles per deferral of the
     * record, up to {@link #DEFAULT_MAX_DEFER_BACKOFF}, and never waits past the end of the holder's lease.
     */
    public static final Duration DEFAULT_DEFER_BACKOFF = Duration.ofMillis(200);
    /** Default longest wait between retries of a deferred record. */
    public static final Duration DEFAULT_MAX_DEFER_BACKOFF = Duration.ofSeconds(10);

    final KafkaDedupSettings settings;
    final RecordMemory memory = new RecordMemory();
    final KafkaMetrics metrics;
    private final Map<String, DedupConsumer<ConsumerRecord<?, ?>>> byTopic = new ConcurrentHashMap<>();
    private final LeasedBatch batches;

    private KafkaDedup(KafkaDedupSettings settings) {
        this.settings = settings;
        this.metrics = KafkaMetrics.of(settings.meterRegistry(), settings.namespace());
        this.batches = new LeasedBatch(this);
    }

    /** A builder with every default: discovered store, {@code idempotency-key} header, {@code <topic>.DLT}. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A handler with {@code handler}'s shape that runs it at most once per key: see {@link
     * DedupConsumer#decorate}, which it applies with the record's topic's settings. It returns normally when the
     * record was processed or was a duplicate, and otherwise throws (the handler's exception unchanged, or a
     * {@link io.dedup.DedupException} saying why), so a caller commits past the record only on normal return.
     */
    public <K, V> MessageHandler<ConsumerRecord<K, V>> wrap(MessageHandler<? super ConsumerRecord<K, V>> handler) {
        Objects.requireNonNull(handler, "handler");
        MessageHandler<ConsumerRecord<?, ?>> any = erase(handler);
        return record -> consumerFor(record.topic()).decorate(any).handle(record);
    }

    /**
     * A batch handler that passes on only the records whose keys it acquired: duplicates (of earlier batches or
     * within this one) are left out, and the handler is not called when nothing is left. One claim round trip
     * before the handler, one completion round trip after it. When the handler throws, every acquired key is
     * released and the exception passes through unchanged. After the handler succeeded, a record that could not be
     * processed (its key in progress elsewhere, missing or unreadable, a conflict, the store unavailable for it)
     * makes the wrapper throw the matching {@link io.dedup.DedupException}, so a caller commits only on normal
     * return; the redelivered batch is then answered as duplicates for the records already done.
     *
     * <p>The keys are claimed as core batches (one per topic), so their leases are renewed while the batch handler
     * runs, and an {@link Error} it throws passes through unchanged after every key was given back.
     */
    public <K, V> BatchHandler<K, V> wrapBatch(BatchHandler<K, V> handler) {
        Objects.requireNonNull(handler, "handler");
        return records -> new BatchClaims(this).run(records, handler);
    }

    /**
     * Processes one poll's records: per topic one claim round trip and one completion round trip to the store,
     * handlers in offset order per partition, dead letters for bad input and for records whose handler failed
     * {@code maxAttempts} times. Records must come as {@code poll} returns them: per partition in offset order.
     *
     * <p>A record whose handler failed with attempts left, or (unless {@link Builder#passDeferred}) whose key is in
     * progress elsewhere, holds back the later records of its partition (they are not started and their claims are
     * given back), so a partition's records run in order. A handler that throws an {@link Error} is logged and its
     * record takes the failure path, as if it had thrown an exception; the records that finished keep their
     * completions.
     *
     * @return which offsets to commit, where to rewind, when to retry
     */
    public <K, V> PollOutcome process(
            Iterable<ConsumerRecord<K, V>> records, MessageHandler<? super ConsumerRecord<K, V>> handler) {
        Objects.requireNonNull(records, "records");
        Objects.requireNonNull(handler, "handler");
        List<ConsumerRecord<?, ?>> list = new ArrayList<>();
        records.forEach(list::add);
        return batches.process(list, LeasedBatch::tombstone, erase(handler), partition -> true);
    }

    LeasedBatch batches() {
        return batches;
    }

    /** Forgets failure counts and sent dead letters of partitions this consumer no longer owns. */
    public void forget(Collection<TopicPartition> partitions) {
        memory.forget(Objects.requireNonNull(partitions, "partitions"));
    }

    /**
     * The key {@code record} is claimed under.
     *
     * @throws IdempotencyKeyException if it has none or it cannot be read
     */
    public DedupKey keyOf(ConsumerRecord<?, ?> record) {
        Objects.requireNonNull(record, "record");
        return consumerFor(record.topic()).keyOf(record);
    }

    /** The {@link DedupConsumer} that serves {@code topic}, created on first use. */
    public DedupConsumer<ConsumerRecord<?, ?>> consumerFor(String topic) {
        Objects.requireNonNull(topic, "topic");
        return byTopic.computeIfAbsent(topic, this::newConsumer);
    }

    /** Where {@code topic}'s dead letters go. */
    public String deadLetterTopic(String topic) {
        return settings.deadLetterTopic(Objects.requireNonNull(topic, "topic"));
    }

    /**
     * The configuration keys {@link Builder#properties} reads besides {@code group.id} and the store modules' own;
     * {@code <topic>} stands for a topic's name.
     */
    public static Set<String> propertyNames() {
        return KafkaDedupProperties.NAMES;
    }

    /** The namespace keys are unique within. */
    public String namespace() {
        return settings.namespace();
    }

    public DedupStore store() {
        return settings.store();
    }

    /** Stops lease renewal, and closes the store if this instance discovered it rather than being given it. */
    @Override
    public void close() {
        byTopic.values().forEach(DedupConsumer::close);
        if (settings.ownsStore()) {
            settings.store().close();
        }
    }

    private DedupConsumer<ConsumerRecord<?, ?>> newConsumer(String topic) {
        DedupConsumer.Builder<ConsumerRecord<?, ?>> builder = DedupConsumer.<ConsumerRecord<?, ?>>builder(
                        settings.keys(topic))
                .store(settings.store())
                .namespace(settings.namespace())
                .lease(settings.lease())
                .retention(settings.retention())
                .failurePolicy(settings.failurePolicy())
                .storeUnavailablePolicy(settings.storeUnavailablePolicy())
                .digestAllKeys(settings.digestAllKeys())
                .messageDescriber(KafkaDedup::describe)
                .metricTag("topic", topic);
        if (settings.meterRegistry() != null) {
            builder.meterRegistry(settings.meterRegistry());
        }
        return builder.build();
    }

    static String describe(ConsumerRecord<?, ?> record) {
        return "record " + record.topic() + "-" + record.partition() + "@" + record.offset();
    }

    @SuppressWarnings("unchecked")
    static MessageHandler<ConsumerRecord<?, ?>> erase(MessageHandler<?> handler) {
        return (MessageHandler<ConsumerRecord<?, ?>>) handler;
    }

    /**
     * Configures a {@link KafkaDedup}. Each setter checks its argument and names it when it fails; {@link
     * #properties} reads the same settings from configuration. Not thread-safe.
     */
    public static final class Builder {
        private DedupStore store;
        private String groupId;
        private String namespace;
        private DedupSettings.Builder settings = DedupSettings.custom();
        private StoreSettings storeSettings;
        private Object meterRegistry;
        private KeyExtractor<? super ConsumerRecord<?, ?>> keys = RecordKeys.header();
        private final Map<String, KeyExtractor<? super ConsumerRecord<?, ?>>> topicKeys = new HashMap<>();
        private final Map<String, String> deadLetterTopics = new HashMap<>();
        private String deadLetterSuffix = DEFAULT_DEAD_LETTER_SUFFIX;
        private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
        private Duration retryBackoff = DEFAULT_RETRY_BACKOFF;
        private Duration maxRetryBackoff = DEFAULT_MAX_RETRY_BACKOFF;
        private Duration deferBackoff = DEFAULT_DEFER_BACKOFF;
        private Duration maxDeferBackoff = DEFAULT_MAX_DEFER_BACKOFF;
        private boolean passDeferred;
        private DeadLetterPublisher deadLetters;

        private Builder() {}

        /** The processed-keys store. Default: {@link DedupStores#discover()}, closed with the instance. */
        public Builder store(DedupStore store) {
            this.store = Objects.requireNonNull(store, "store");
            return this;
        }

        /** The consumer group: the namespace unless {@link #namespace} is set. */
        public Builder groupId(String groupId) {
            this.groupId = Checks.nonEmpty(groupId, "groupId");
            return this;
        }

        /** What keys are unique within. Default: the group id, else {@value DedupConsumer#DEFAULT_NAMESPACE}. */
        public Builder namespace(String namespace) {
            this.namespace = Checks.nonEmpty(namespace, "namespace");
            return this;
        }

        /**
         * Lease, retention, renewal, policies and key digests, all at once; the setters below change single values
         * of the same settings. Default {@link DedupSettings#ofDefaults()}.
         */
        public Builder settings(DedupSettings settings) {
            this.settings = DedupSettings.from(settings);
            return this;
        }

        /** How long a claim stays valid without renewal. Default 30 s, renewed every third while held. */
        public Builder lease(Duration lease) {
            settings.lease(lease);
            return this;
        }

        /** How long completed keys are remembered. Default 24 h. */
        public Builder retention(Duration retention) {
            settings.retention(retention);
            return this;
        }

        /**
         * What happens to a key whose record was dead-lettered after its handler failed: released (default; a
         * later duplicate runs the handler again) or marked failed (later duplicates are answered as done).
         */
        public Builder failurePolicy(FailurePolicy failurePolicy) {
            settings.failurePolicy(failurePolicy);
            return this;
        }

        /** Default {@link StoreUnavailablePolicy#FAIL_CLOSED}: stop, back off, resume; never run unguarded. */
        public Builder storeUnavailablePolicy(StoreUnavailablePolicy policy) {
            settings.storeUnavailablePolicy(policy);
            return this;
        }

        /** Store every key as its digest, so no raw identifier is kept at rest. Default: only long keys. */
        public Builder digestAllKeys(boolean digestAllKeys) {
            settings.digestAllKeys(digestAllKeys);
            return this;
        }

        /** Publish metrics to this Micrometer {@code MeterRegistry}: core's {@code dedup.*} meters tagged {@code topic}, and {@code dedup.kafka.*}. */
        public Builder meterRegistry(Object meterRegistry) {
            this.meterRegistry = Objects.requireNonNull(meterRegistry, "meterRegistry");
            return this;
        }

        /** Where keys are read from on topics without their own setting. Default {@link RecordKeys#header()}. */
        public Builder keys(KeyExtractor<? super ConsumerRecord<?, ?>> keys) {
            this.keys = Objects.requireNonNull(keys, "keys");
            return this;
        }

        /** Where keys are read from on {@code topic}. */
        public Builder topicKeys(String topic, KeyExtractor<? super ConsumerRecord<?, ?>> keys) {
            topicKeys.put(Checks.nonEmpty(topic, "topic"), Objects.requireNonNull(keys, "keys"));
            return this;
        }

        /** The dead-letter topic of {@code topic}. Default {@code topic + ".DLT"}. */
        public Builder deadLetterTopic(String topic, String deadLetterTopic) {
            deadLetterTopics.put(Checks.nonEmpty(topic, "topic"), Checks.nonEmpty(deadLetterTopic, "deadLetterTopic"));
            return this;
        }

        /** The suffix of default dead-letter topics. Default {@value #DEFAULT_DEAD_LETTER_SUFFIX}. */
        public Builder deadLetterSuffix(String suffix) {
            this.deadLetterSuffix = Checks.nonEmpty(suffix, "suffix");
            return this;
        }

        /**
         * Run a failing handler up to {@code maxAttempts} times per record (each on a redelivery of the record),
         * waiting {@code backoff} before the second attempt and doubling it up to {@code maxBackoff}; then
         * dead-letter the record. Default 3 attempts, 500 ms, 30 s.
         */
        public Builder retries(int maxAttempts, Duration backoff, Duration maxBackoff) {
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
            }
            Duration first = Checks.notNegative(backoff, "backoff");
            Duration max = Checks.notNegative(maxBackoff, "maxBackoff");
            if (max.compareTo(first) < 0) {
                throw new IllegalArgumentException(
                        "maxBackoff (" + max + ") must not be shorter than backoff (" + first + ")");
            }
            this.maxAttempts = maxAttempts;
            this.retryBackoff = first;
            this.maxRetryBackoff = max;
            return this;
        }

        /**
         * How long to wait before retrying a record whose key is in progress elsewhere, the first time; the wait
         * doubles per deferral of the record up to the maximum (raised to {@code backoff} if shorter), and never
         * reaches past the end of the holder's lease. Default 200 ms, at most 10 s.
         */
        public Builder deferBackoff(Duration backoff) {
            this.deferBackoff = Checks.positive(backoff, "backoff");
            if (maxDeferBackoff.compareTo(deferBackoff) < 0) {
                maxDeferBackoff = deferBackoff;
            }
            return this;
        }

        /** {@link #deferBackoff(Duration)} with the longest wait between retries of a deferred record. */
        public Builder deferBackoff(Duration backoff, Duration maxBackoff) {
            Duration first = Checks.positive(backoff, "backoff");
            Duration max = Checks.positive(maxBackoff, "maxBackoff");
            if (max.compareTo(first) < 0) {
                throw new IllegalArgumentException(
                        "maxBackoff (" + max + ") must not be shorter than backoff (" + first + ")");
            }
            this.deferBackoff = first;
            this.maxDeferBackoff = max;
            return this;
        }

        /**
         * Whether the later records of a partition may run while a record before them waits for its key, in
         * progress elsewhere. Default false: a partition's records run in offset order, so those behind a deferred
         * record wait with it. With true they run (within the poll), are retried after the rewind and answered as
         * duplicates; the committed offset still never passes the deferred record.
         */
        public Builder passDeferred(boolean passDeferred) {
            this.passDeferred = passDeferred;
            return this;
        }

        /**
         * Where dead letters go. Without one, {@link KafkaDedup#process} reports records that need a dead letter
         * as {@link RecordStatus#DEAD_LETTER_PENDING} and never commits past them. The runner creates a {@link
         * KafkaDeadLetterPublisher} of its own when none is set.
         */
        public Builder deadLetters(DeadLetterPublisher publisher) {
            this.deadLetters = Objects.requireNonNull(publisher, "publisher");
            return this;
        }

        /**
         * Reads settings from configuration with core's grammar; keys absent leave the setting as it is. Durations
         * are {@code 500ms}, {@code 30s}, {@code 5m}, {@code 24h} or ISO-8601 ({@code PT30S}); booleans {@code true}
         * or {@code false}.
         *
         * <ul>
         *   <li>{@code dedup.namespace}, and core's {@link DedupSettings} keys: {@code dedup.lease}, {@code
         *       dedup.retention}, {@code dedup.lease-renewal-fraction}, {@code dedup.digest-all-keys}
         *   <li>{@code dedup.failure-policy} ({@code RELEASE} or {@code MARK_FAILED}), {@code
         *       dedup.store-unavailable} ({@code FAIL_CLOSED} or {@code FAIL_OPEN})
         *   <li>{@code dedup.store} and the discovered store's own keys ({@code dedup.redis.*}, {@code
         *       dedup.jdbc.*}): they choose and configure the store when none is {@linkplain #store set}, as the
         *       same system properties would
         *   <li>{@code dedup.kafka.key}: the default key source, in the form of {@link RecordKeys#parse}
         *   <li>{@code dedup.kafka.topic.<topic>.key}: a topic's key source
         *   <li>{@code dedup.kafka.topic.<topic>.dead-letter-topic}: a topic's dead-letter topic
         *   <li>{@code dedup.kafka.dead-letter-suffix}
         *   <li>{@code dedup.kafka.max-attempts}, {@code dedup.kafka.retry-backoff}, {@code
         *       dedup.kafka.max-retry-backoff}, {@code dedup.kafka.defer-backoff}, {@code
         *       dedup.kafka.max-defer-backoff}, {@code dedup.kafka.pass-deferred}
         *   <li>{@code group.id}: as {@link #groupId}, so a consumer's own configuration can be passed as is
         * </ul>
         *
         * @throws IllegalArgumentException naming the key whose value is invalid, or an unknown {@code dedup.*} key
         *     and the nearest known one
         */
        public Builder properties(Map<?, ?> properties) {
            KafkaDedupProperties.apply(Objects.requireNonNull(properties, "properties"), this);
            return this;
        }

        /**
         * @throws io.dedup.DedupConfigurationException if no store was set and the store modules on the classpath
         *     are ambiguous
         * @throws IllegalArgumentException if the lease is longer than the retention
         */
        public KafkaDedup build() {
            KafkaClients.requireSupported();
            DedupSettings chosen = settings.build();
            String chosenNamespace =
                    namespace != null ? namespace : groupId != null ? groupId : DedupConsumer.DEFAULT_NAMESPACE;
            boolean owns = store == null;
            return new KafkaDedup(new KafkaDedupSettings(
                    owns ? discover() : store,
                    owns,
                    chosenNamespace,
                    chosen.lease(),
                    chosen.retention(),
                    chosen.failurePolicy(),
                    chosen.storeUnavailablePolicy(),
                    chosen.digestAllKeys(),
                    meterRegistry,
                    keys,
                    Map.copyOf(topicKeys),
                    Map.copyOf(deadLetterTopics),
                    deadLetterSuffix,
                    maxAttempts,
                    retryBackoff,
                    maxRetryBackoff,
                    deferBackoff,
                    maxDeferBackoff,
                    passDeferred,
                    deadLetters));
        }

        private DedupStore discover() {
            return storeSettings == null
                    ? DedupStores.discover()
                    : DedupStores.discover(storeSettings, DedupStores.class.getClassLoader());
        }

        /** The shared settings being built, for {@link KafkaDedupProperties}. */
        DedupSettings.Builder settingsBuilder() {
            return settings;
        }

        /** Store settings read from the properties, used when no store is set. */
        void storeSettings(StoreSettings storeSettings) {
            this.storeSettings = storeSettings;
        }

        /** Whether a dead-letter publisher was set; the runner supplies its own otherwise. */
        boolean hasDeadLetters() {
            return deadLetters != null;
        }

        boolean hasGroupOrNamespace() {
            return groupId != null || namespace != null;
        }
    }
}
