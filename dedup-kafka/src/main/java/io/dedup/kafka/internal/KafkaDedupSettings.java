package io.dedup.kafka.internal;

import io.dedup.DedupSettings;
import io.dedup.KeyExtractor;
import io.dedup.kafka.DeadLetterPublisher;
import io.dedup.kafka.KafkaDedup;
import io.dedup.spi.DedupStore;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The validated settings of a {@link KafkaDedup}, as its builder left them, and the delays they imply. Immutable.
 *
 * @param store the processed-keys store
 * @param ownsStore whether the instance discovered the store itself and so closes it
 * @param namespace what keys are unique within
 * @param shared core's settings, handed to every topic's consumer as they are (the failure policy says what becomes
 *     of a key whose record was dead-lettered after its handler failed)
 * @param meterRegistry a Micrometer {@code MeterRegistry}, or null
 * @param defaultKeys where keys are read from on topics without their own extractor
 * @param deadLetterTopics per topic, a dead-letter topic other than {@code topic + deadLetterSuffix}
 * @param maxAttempts handler attempts per record before it is dead-lettered
 * @param retryBackoff the wait before a record's second attempt, doubled per attempt up to {@code maxRetryBackoff}
 * @param deferBackoff the first wait before a record whose key is held elsewhere is tried again
 * @param passDeferred whether later records of a partition may run while one before them waits for its key
 * @param deadLetters where dead letters go, or null (then they stay pending)
 */
public record KafkaDedupSettings(
        DedupStore store,
        boolean ownsStore,
        String namespace,
        DedupSettings shared,
        Object meterRegistry,
        KeyExtractor<? super ConsumerRecord<?, ?>> defaultKeys,
        Map<String, KeyExtractor<? super ConsumerRecord<?, ?>>> topicKeys,
        Map<String, String> deadLetterTopics,
        String deadLetterSuffix,
        int maxAttempts,
        Duration retryBackoff,
        Duration maxRetryBackoff,
        Duration deferBackoff,
        Duration maxDeferBackoff,
        boolean passDeferred,
        DeadLetterPublisher deadLetters) {
    /** The least wait before a deferred record is retried, so that a lease ending now is not polled in a hot loop. */
    private static final Duration MIN_DEFER = Duration.ofMillis(50);

    /** The key extractor of {@code topic}: its own, else the default. */
    public KeyExtractor<? super ConsumerRecord<?, ?>> keys(String topic) {
        return topicKeys.getOrDefault(topic, defaultKeys);
    }

    /** Where {@code topic}'s dead letters go. */
    public String deadLetterTopic(String topic) {
        String configured = deadLetterTopics.get(topic);
        return configured != null ? configured : topic + deadLetterSuffix;
    }

    /**
     * The wait before a record deferred {@code deferrals} times is tried again: the defer back-off doubled per
     * earlier deferral up to its maximum, and never past the end of the holder's lease (plus a little, for the
     * clocks), when the store said when that is: a crashed holder's key is taken over as soon as it is free.
     */
    public Duration deferDelay(int deferrals, Instant leaseUntil, Instant now) {
        Duration delay = deferBackoff;
        for (int i = 1; i < deferrals && delay.compareTo(maxDeferBackoff) < 0; i++) {
            delay = delay.multipliedBy(2);
        }
        if (delay.compareTo(maxDeferBackoff) > 0) {
            delay = maxDeferBackoff;
        }
        if (leaseUntil != null) {
            Duration untilFree = Duration.between(now, leaseUntil).plus(MIN_DEFER);
            if (untilFree.compareTo(delay) < 0) {
                delay = untilFree.compareTo(MIN_DEFER) < 0 ? MIN_DEFER : untilFree;
            }
        }
        return delay;
    }

    /** The wait before attempt {@code failures + 1}: the back-off doubled per earlier failure, capped. */
    public Duration retryDelay(int failures) {
        Duration delay = retryBackoff;
        for (int i = 1; i < failures && delay.compareTo(maxRetryBackoff) < 0; i++) {
            delay = delay.multipliedBy(2);
        }
        return delay.compareTo(maxRetryBackoff) > 0 ? maxRetryBackoff : delay;
    }
}
