package io.dedup.kafka;

import io.dedup.FailurePolicy;
import io.dedup.StoreUnavailablePolicy;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;

/** Reads {@link KafkaDedup.Builder} settings from configuration keys; see {@link KafkaDedup.Builder#properties}. */
final class KafkaDedupProperties {
    static final String TOPIC_PREFIX = "dedup.kafka.topic.";
    static final String KEY_SUFFIX = ".key";
    static final String DEAD_LETTER_TOPIC_SUFFIX = ".dead-letter-topic";

    private KafkaDedupProperties() {}

    static void apply(Map<?, ?> properties, KafkaDedup.Builder builder) {
        Integer maxAttempts = null;
        Duration retryBackoff = null;
        Duration maxRetryBackoff = null;
        Duration deferBackoff = null;
        Duration maxDeferBackoff = null;
        for (Map.Entry<?, ?> entry : properties.entrySet()) {
            String key = String.valueOf(entry.getKey());
            if (entry.getValue() == null) {
                continue;
            }
            String value = String.valueOf(entry.getValue()).trim();
            try {
                switch (key) {
                    case "group.id" -> builder.groupId(value);
                    case "dedup.namespace" -> builder.namespace(value);
                    case "dedup.lease" -> builder.lease(duration(value));
                    case "dedup.retention" -> builder.retention(duration(value));
                    case "dedup.failure-policy" -> builder.failurePolicy(
                            FailurePolicy.valueOf(value.toUpperCase(Locale.ROOT).replace('-', '_')));
                    case "dedup.store-unavailable" -> builder.storeUnavailablePolicy(StoreUnavailablePolicy.valueOf(
                            value.toUpperCase(Locale.ROOT).replace('-', '_')));
                    case "dedup.kafka.key" -> builder.keys(RecordKeys.parse(value));
                    case "dedup.kafka.dead-letter-suffix" -> builder.deadLetterSuffix(value);
                    case "dedup.kafka.max-attempts" -> maxAttempts = Integer.valueOf(value);
                    case "dedup.kafka.retry-backoff" -> retryBackoff = duration(value);
                    case "dedup.kafka.max-retry-backoff" -> maxRetryBackoff = duration(value);
                    case "dedup.kafka.defer-backoff" -> deferBackoff = duration(value);
                    case "dedup.kafka.max-defer-backoff" -> maxDeferBackoff = duration(value);
                    case "dedup.kafka.pass-deferred" -> builder.passDeferred(bool(value));
                    default -> {
                        if (key.startsWith(TOPIC_PREFIX) && key.endsWith(KEY_SUFFIX)) {
                            builder.topicKeys(topic(key, KEY_SUFFIX), RecordKeys.parse(value));
                        } else if (key.startsWith(TOPIC_PREFIX) && key.endsWith(DEAD_LETTER_TOPIC_SUFFIX)) {
                            builder.deadLetterTopic(topic(key, DEAD_LETTER_TOPIC_SUFFIX), value);
                        } else if (key.startsWith("dedup.kafka.")) {
                            throw new IllegalArgumentException("unknown setting");
                        }
                    }
                }
            } catch (IllegalArgumentException | DateTimeParseException e) {
                throw new IllegalArgumentException("invalid setting " + key + "=" + value + ": " + e.getMessage(), e);
            }
        }
        try {
            applyDefer(builder, deferBackoff, maxDeferBackoff);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid setting dedup.kafka.max-defer-backoff: " + e.getMessage(), e);
        }
        if (maxAttempts != null || retryBackoff != null || maxRetryBackoff != null) {
            Duration first = retryBackoff != null ? retryBackoff : KafkaDedup.DEFAULT_RETRY_BACKOFF;
            Duration max = maxRetryBackoff != null
                    ? maxRetryBackoff
                    : first.compareTo(KafkaDedup.DEFAULT_MAX_RETRY_BACKOFF) > 0
                            ? first
                            : KafkaDedup.DEFAULT_MAX_RETRY_BACKOFF;
            builder.retries(maxAttempts != null ? maxAttempts : KafkaDedup.DEFAULT_MAX_ATTEMPTS, first, max);
        }
    }

    private static void applyDefer(KafkaDedup.Builder builder, Duration first, Duration max) {
        if (max != null) {
            builder.deferBackoff(first != null ? first : KafkaDedup.DEFAULT_DEFER_BACKOFF, max);
        } else if (first != null) {
            builder.deferBackoff(first);
        }
    }

    private static boolean bool(String value) {
        if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(value);
        }
        throw new IllegalArgumentException("expected true or false");
    }

    private static String topic(String key, String suffix) {
        String topic = key.substring(TOPIC_PREFIX.length(), key.length() - suffix.length());
        if (topic.isEmpty()) {
            throw new IllegalArgumentException("no topic name between " + TOPIC_PREFIX + " and " + suffix);
        }
        return topic;
    }

    /** ISO-8601 ({@code PT30S}) or a number of milliseconds. */
    static Duration duration(String value) {
        if (!value.isEmpty() && value.chars().allMatch(Character::isDigit)) {
            return Duration.ofMillis(Long.parseLong(value));
        }
        return Duration.parse(value);
    }
}
