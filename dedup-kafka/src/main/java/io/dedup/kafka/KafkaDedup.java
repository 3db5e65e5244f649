package io.dedup.kafka;

import io.dedup.DedupConsumer;
import io.dedup.DedupKey;
import io.dedup.IdempotencyKeyException;
import io.dedup.MessageHandler;
import io.dedup.kafka.internal.BadInput;
import io.dedup.kafka.internal.BatchClaims;
import io.dedup.kafka.internal.KafkaClients;
import io.dedup.kafka.internal.KafkaDedupContext;
import io.dedup.kafka.internal.KafkaDedupSettings;
import io.dedup.kafka.internal.LeasedBatch;
import io.dedup.spi.DedupStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
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

    private final KafkaDedupSettings settings;
    private final KafkaDedupContext context;
    private final LeasedBatch batches;

    private KafkaDedup(KafkaDedupSettings settings) {
        this.settings = settings;
        this.context = KafkaDedupContext.of(settings);
        this.batches = new LeasedBatch(context);
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
     *
     * @param handler the application's work for one record
     * @return a handler to call instead of {@code handler}; it may be called from several threads if {@code
     *     handler} may
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
     *
     * @param handler the application's work for a batch of records
     * @return a batch handler to call instead of {@code handler}, with the same records
     */
    public <K, V> BatchHandler<K, V> wrapBatch(BatchHandler<K, V> handler) {
        Objects.requireNonNull(handler, "handler");
        return records -> new BatchClaims(context).run(records, handler);
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
     * @param records one poll's records, as {@code poll} returned them
     * @param handler the application's work for one record
     * @return which offsets to commit, where to rewind, when to retry
     */
    public <K, V> PollOutcome process(
            Iterable<ConsumerRecord<K, V>> records, MessageHandler<? super ConsumerRecord<K, V>> handler) {
        Objects.requireNonNull(records, "records");
        Objects.requireNonNull(handler, "handler");
        List<ConsumerRecord<?, ?>> list = new ArrayList<>();
        records.forEach(list::add);
        return batches.process(list, BadInput::tombstone, erase(handler), partition -> true);
    }

    /** The leased mode's batch processor, for the runner's leased mode. */
    LeasedBatch batches() {
        return batches;
    }

    /** The validated settings. For tests. */
    KafkaDedupSettings settings() {
        return settings;
    }

    /** The parts this instance's machinery shares, for the runner's transactional modes. */
    KafkaDedupContext context() {
        return context;
    }

    /** Forgets failure counts and sent dead letters of partitions this consumer no longer owns. */
    public void forget(Collection<TopicPartition> partitions) {
        context.forget(Objects.requireNonNull(partitions, "partitions"));
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
        return context.consumerFor(topic);
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

    /** The processed-keys store: the one given to the builder, or the one it discovered (and this instance closes). */
    public DedupStore store() {
        return settings.store();
    }

    /** Stops lease renewal, and closes the store if this instance discovered it rather than being given it. */
    @Override
    public void close() {
        context.close();
        if (settings.ownsStore()) {
            settings.store().close();
        }
    }

    /**
     * A handler of some record type as a handler of any record: safe, because records reach it only through the
     * typed {@link #wrap} and {@link #process} of the same call.
     */
    @SuppressWarnings("unchecked")
    static MessageHandler<ConsumerRecord<?, ?>> erase(MessageHandler<?> handler) {
        return (MessageHandler<ConsumerRecord<?, ?>>) handler;
    }

    /**
     * Configures a {@link KafkaDedup}: the setters are {@link KafkaDedupOptions}'. Each setter checks its argument
     * and names it when it fails; {@link #properties} reads the same settings from configuration. Not thread-safe.
     */
    public static final class Builder extends KafkaDedupOptions<Builder> {
        private Builder() {}

        @Override
        Builder self() {
            return this;
        }

        /**
         * @throws io.dedup.DedupConfigurationException if no store was set and the store modules on the classpath
         *     are ambiguous
         * @throws IllegalArgumentException if the lease is longer than the retention
         */
        public KafkaDedup build() {
            KafkaClients.requireSupported();
            return new KafkaDedup(toSettings());
        }
    }
}
