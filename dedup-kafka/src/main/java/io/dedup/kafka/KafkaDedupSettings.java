package io.dedup.kafka;

import io.dedup.FailurePolicy;
import io.dedup.KeyExtractor;
import io.dedup.StoreUnavailablePolicy;
import io.dedup.spi.DedupStore;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** The validated settings of a {@link KafkaDedup}. Immutable. */
record KafkaDedupSettings(
        DedupStore store,
        boolean ownsStore,
        String namespace,
        Duration lease,
        Duration retention,
        FailurePolicy failurePolicy,
        StoreUnavailablePolicy storeUnavailablePolicy,
        boolean digestAllKeys,
        Object meterRegistry,
        KeyExtractor<? super ConsumerRecord<?, ?>> defaultKeys,
        Map<String, KeyExtractor<? super ConsumerRecord<?, ?>>> topicKeys,
        Map<String, String> deadLetterTopics,
        String deadLetterSuffix,
        int maxAttempts,
        Duration retryBackoff,
        Duration maxRetryBackoff,
        Duration deferBackoff,
        DeadLetterPublisher deadLetters) {

    KeyExtractor<? super ConsumerRecord<?, ?>> keys(String topic) {
        return topicKeys.getOrDefault(topic, defaultKeys);
    }

    String deadLetterTopic(String topic) {
        String configured = deadLetterTopics.get(topic);
        return configured != null ? configured : topic + deadLetterSuffix;
    }

    /** The wait before attempt {@code failures + 1}: the back-off doubled per earlier failure, capped. */
    Duration retryDelay(int failures) {
        Duration delay = retryBackoff;
        for (int i = 1; i < failures && delay.compareTo(maxRetryBackoff) < 0; i++) {
            delay = delay.multipliedBy(2);
        }
        return delay.compareTo(maxRetryBackoff) > 0 ? maxRetryBackoff : delay;
    }
}
