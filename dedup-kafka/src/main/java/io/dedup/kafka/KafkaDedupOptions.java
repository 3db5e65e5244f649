package io.dedup.kafka;

import io.dedup.DedupSettings;
import io.dedup.KeyExtractor;
import io.dedup.kafka.internal.KafkaDedupSettings;
import io.dedup.spi.Checks;
import io.dedup.spi.DedupStore;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The Kafka-side settings a {@link KafkaDedup} takes, one setter each: where keys are read from, where dead letters
 * go, retries and deferrals; core's settings (store, namespace, lease, retention, policies) are {@link
 * KafkaDedupCoreOptions}'. {@link KafkaDedup.Builder} is the one concrete builder; this class only keeps the options
 * apart from building. Each setter checks its argument
 * and names it when it fails; {@link #properties} reads the same settings from configuration.
 *
 * <p>Not thread-safe.
 *
 * @param <B> the concrete builder, returned by every setter
 */
public abstract sealed class KafkaDedupOptions<B extends KafkaDedupOptions<B>> extends KafkaDedupCoreOptions<B>
        permits KafkaDedup.Builder {
    private KeyExtractor<? super ConsumerRecord<?, ?>> keys = RecordKeys.header();
    private final Map<String, KeyExtractor<? super ConsumerRecord<?, ?>>> topicKeys = new HashMap<>();
    private final Map<String, String> deadLetterTopics = new HashMap<>();
    private String deadLetterSuffix = KafkaDedup.DEFAULT_DEAD_LETTER_SUFFIX;
    private int maxAttempts = KafkaDedup.DEFAULT_MAX_ATTEMPTS;
    private Duration retryBackoff = KafkaDedup.DEFAULT_RETRY_BACKOFF;
    private Duration maxRetryBackoff = KafkaDedup.DEFAULT_MAX_RETRY_BACKOFF;
    private Duration deferBackoff = KafkaDedup.DEFAULT_DEFER_BACKOFF;
    private Duration maxDeferBackoff = KafkaDedup.DEFAULT_MAX_DEFER_BACKOFF;
    private boolean passDeferred;
    private DeadLetterPublisher deadLetters;

    KafkaDedupOptions() {}

    /** Where keys are read from on topics without their own setting. Default {@link RecordKeys#header()}. */
    public B keys(KeyExtractor<? super ConsumerRecord<?, ?>> keys) {
        this.keys = Objects.requireNonNull(keys, "keys");
        return self();
    }

    /**
     * Where keys are read from on {@code topic}.
     *
     * @throws IllegalArgumentException if {@code topic} is empty
     */
    public B topicKeys(String topic, KeyExtractor<? super ConsumerRecord<?, ?>> keys) {
        topicKeys.put(Checks.nonEmpty(topic, "topic"), Objects.requireNonNull(keys, "keys"));
        return self();
    }

    /**
     * The dead-letter topic of {@code topic}. Default {@code topic + ".DLT"}.
     *
     * @throws IllegalArgumentException if either name is empty
     */
    public B deadLetterTopic(String topic, String deadLetterTopic) {
        deadLetterTopics.put(Checks.nonEmpty(topic, "topic"), Checks.nonEmpty(deadLetterTopic, "deadLetterTopic"));
        return self();
    }

    /**
     * The suffix of default dead-letter topics. Default {@value #DEFAULT_DEAD_LETTER_SUFFIX}.
     *
     * @throws IllegalArgumentException if {@code suffix} is empty
     */
    public B deadLetterSuffix(String suffix) {
        this.deadLetterSuffix = Checks.nonEmpty(suffix, "suffix");
        return self();
    }

    /**
     * Run a failing handler up to {@code maxAttempts} times per record (each on a redelivery of the record),
     * waiting {@code backoff} before the second attempt and doubling it up to {@code maxBackoff}; then
     * dead-letter the record. Default 3 attempts, 500 ms, 30 s.
     *
     * @throws IllegalArgumentException if {@code maxAttempts} is below 1, a back-off is negative, or {@code
     *     maxBackoff} is shorter than {@code backoff}
     */
    public B retries(int maxAttempts, Duration backoff, Duration maxBackoff) {
        int attempts = Checks.atLeast(maxAttempts, 1, "maxAttempts");
        Duration first = Checks.notNegative(backoff, "backoff");
        Duration max = Checks.notShorter(Checks.notNegative(maxBackoff, "maxBackoff"), "maxBackoff", first, "backoff");
        this.maxAttempts = attempts;
        this.retryBackoff = first;
        this.maxRetryBackoff = max;
        return self();
    }

    /**
     * How long to wait before retrying a record whose key is in progress elsewhere, the first time; the wait
     * doubles per deferral of the record up to the maximum (raised to {@code backoff} if shorter), and never
     * reaches past the end of the holder's lease. Default 200 ms, at most 10 s.
     *
     * @throws IllegalArgumentException if {@code backoff} is not positive
     */
    public B deferBackoff(Duration backoff) {
        this.deferBackoff = Checks.positive(backoff, "backoff");
        if (maxDeferBackoff.compareTo(deferBackoff) < 0) {
            maxDeferBackoff = deferBackoff;
        }
        return self();
    }

    /**
     * {@link #deferBackoff(Duration)} with the longest wait between retries of a deferred record.
     *
     * @throws IllegalArgumentException if a back-off is not positive, or {@code maxBackoff} is shorter than {@code
     *     backoff}
     */
    public B deferBackoff(Duration backoff, Duration maxBackoff) {
        Duration first = Checks.positive(backoff, "backoff");
        Duration max = Checks.notShorter(Checks.positive(maxBackoff, "maxBackoff"), "maxBackoff", first, "backoff");
        this.deferBackoff = first;
        this.maxDeferBackoff = max;
        return self();
    }

    /**
     * Whether the later records of a partition may run while a record before them waits for its key, in
     * progress elsewhere. Default false: a partition's records run in offset order, so those behind a deferred
     * record wait with it. With true they run (within the poll), are retried after the rewind and answered as
     * duplicates; the committed offset still never passes the deferred record.
     */
    public B passDeferred(boolean passDeferred) {
        this.passDeferred = passDeferred;
        return self();
    }

    /**
     * Where dead letters go. Without one, {@link KafkaDedup#process} reports records that need a dead letter
     * as {@link RecordStatus#DEAD_LETTER_PENDING} and never commits past them. The runner creates a {@link
     * KafkaDeadLetterPublisher} of its own when none is set.
     */
    public B deadLetters(DeadLetterPublisher publisher) {
        this.deadLetters = Objects.requireNonNull(publisher, "publisher");
        return self();
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
    public B properties(Map<?, ?> properties) {
        KafkaDedupProperties.apply(Objects.requireNonNull(properties, "properties"), this);
        return self();
    }

    /** The validated settings, the store discovered now unless one was set; throws as {@link KafkaDedup.Builder#build}. */
    KafkaDedupSettings toSettings() {
        DedupSettings shared = settingsBuilder().build(); // checked before a store is discovered, which would leak
        String chosenNamespace = chosenNamespace();
        DedupStore given = store();
        boolean owns = given == null;
        return new KafkaDedupSettings(
                owns ? discover() : given,
                owns,
                chosenNamespace,
                shared,
                meterRegistry(),
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
                deadLetters);
    }

    /** Whether a dead-letter publisher was set; the runner supplies its own otherwise. */
    boolean hasDeadLetters() {
        return deadLetters != null;
    }
}
