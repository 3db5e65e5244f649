package io.dedup.kafka;

import io.dedup.DedupSettings;
import io.dedup.DedupStores;
import io.dedup.spi.SettingsReader;
import io.dedup.spi.StoreSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads {@link KafkaDedupOptions} from configuration keys with core's {@link SettingsReader}; see {@link
 * KafkaDedup.Builder#properties}. Every {@code dedup.*} key must be one it knows (core's, the Kafka adapter's, or
 * a setting of a store module on the classpath): a typo fails, naming the nearest known key.
 */
final class KafkaDedupProperties {
    static final String PREFIX = "dedup.";
    static final String TOPIC_PREFIX = "dedup.kafka.topic.";
    static final String KEY_SUFFIX = ".key";
    static final String DEAD_LETTER_TOPIC_SUFFIX = ".dead-letter-topic";

    static final String NAMESPACE = "dedup.namespace";
    static final String KEY = "dedup.kafka.key";
    static final String DEAD_LETTER_SUFFIX = "dedup.kafka.dead-letter-suffix";
    static final String MAX_ATTEMPTS = "dedup.kafka.max-attempts";
    static final String RETRY_BACKOFF = "dedup.kafka.retry-backoff";
    static final String MAX_RETRY_BACKOFF = "dedup.kafka.max-retry-backoff";
    static final String DEFER_BACKOFF = "dedup.kafka.defer-backoff";
    static final String MAX_DEFER_BACKOFF = "dedup.kafka.max-defer-backoff";
    static final String PASS_DEFERRED = "dedup.kafka.pass-deferred";
    static final String TOPIC_KEY = TOPIC_PREFIX + "<topic>" + KEY_SUFFIX;
    static final String TOPIC_DEAD_LETTER_TOPIC = TOPIC_PREFIX + "<topic>" + DEAD_LETTER_TOPIC_SUFFIX;

    /** The adapter's own keys and core's, as documented ({@code <topic>} stands for a topic's name). */
    static final Set<String> NAMES = names();

    private KafkaDedupProperties() {}

    /**
     * Applies the settings {@code properties} holds to {@code builder}; keys absent leave a setting as it is.
     *
     * @throws IllegalArgumentException naming the key whose value is invalid, or an unknown {@code dedup.*} key
     */
    static void apply(Map<?, ?> properties, KafkaDedupOptions<?> builder) {
        SettingsReader reader = SettingsReader.of(properties);
        Set<String> storeNames = DedupStores.settingNames(DedupStores.class.getClassLoader());
        rejectUnknown(reader, storeNames);
        reader.text("group.id").ifPresent(builder::groupId);
        named(NAMESPACE, () -> reader.text(NAMESPACE).ifPresent(builder::namespace));
        builder.settingsBuilder().read(reader, PREFIX);
        named(KEY, () -> reader.text(KEY).ifPresent(value -> builder.keys(RecordKeys.parse(value))));
        named(DEAD_LETTER_SUFFIX, () -> reader.text(DEAD_LETTER_SUFFIX).ifPresent(builder::deadLetterSuffix));
        named(PASS_DEFERRED, () -> reader.flag(PASS_DEFERRED).ifPresent(builder::passDeferred));
        for (String key : reader.names(TOPIC_PREFIX)) {
            String value = reader.text(key).orElse(null);
            if (value == null) {
                continue;
            }
            named(key, () -> {
                if (key.endsWith(KEY_SUFFIX)) {
                    builder.topicKeys(topic(key, KEY_SUFFIX), RecordKeys.parse(value));
                } else {
                    builder.deadLetterTopic(topic(key, DEAD_LETTER_TOPIC_SUFFIX), value);
                }
            });
        }
        // The pairs of back-off keys are read together and set with one call each, so that setting only the first
        // (or only the maximum) is checked against the other's default rather than failing on the order of keys.
        Duration deferBackoff = reader.duration(DEFER_BACKOFF).orElse(null);
        Duration maxDeferBackoff = reader.duration(MAX_DEFER_BACKOFF).orElse(null);
        named(MAX_DEFER_BACKOFF, () -> applyDefer(builder, deferBackoff, maxDeferBackoff));
        Integer maxAttempts = reader.integer(MAX_ATTEMPTS).orElse(null);
        Duration retryBackoff = reader.duration(RETRY_BACKOFF).orElse(null);
        Duration maxRetryBackoff = reader.duration(MAX_RETRY_BACKOFF).orElse(null);
        if (maxAttempts != null || retryBackoff != null || maxRetryBackoff != null) {
            Duration first = retryBackoff != null ? retryBackoff : KafkaDedup.DEFAULT_RETRY_BACKOFF;
            Duration max = maxRetryBackoff != null
                    ? maxRetryBackoff
                    : first.compareTo(KafkaDedup.DEFAULT_MAX_RETRY_BACKOFF) > 0
                            ? first
                            : KafkaDedup.DEFAULT_MAX_RETRY_BACKOFF;
            named(
                    maxAttempts != null ? MAX_ATTEMPTS : RETRY_BACKOFF,
                    () -> builder.retries(
                            maxAttempts != null ? maxAttempts : KafkaDedup.DEFAULT_MAX_ATTEMPTS, first, max));
        }
        boolean choosesStore = reader.names(PREFIX).stream().anyMatch(storeNames::contains);
        if (choosesStore) {
            // dedup.store and the store module's own keys pick and configure the discovered store; keys the map
            // lacks fall back to system properties and environment variables, as plain discovery reads them
            builder.storeSettings(StoreSettings.of(reader.orElse(SettingsReader.fromEnvironment())));
        }
    }

    /** Every {@code dedup.*} key must be known; topic keys are known by their shape. */
    private static void rejectUnknown(SettingsReader reader, Set<String> storeNames) {
        List<String> known = new ArrayList<>(NAMES);
        known.addAll(storeNames);
        try {
            reader.rejectUnknown(PREFIX, known, KafkaDedupProperties::isTopicKey);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    e.getMessage() + " (known: core's dedup.*, dedup.kafka.*, and dedup.store with the settings of "
                            + "the store modules on the classpath; see docs/configuration.md)",
                    e);
        }
    }

    private static boolean isTopicKey(String key) {
        return key.startsWith(TOPIC_PREFIX) && (key.endsWith(KEY_SUFFIX) || key.endsWith(DEAD_LETTER_TOPIC_SUFFIX));
    }

    /** Sets the defer back-off from whichever of the pair is given; nothing when neither is. */
    private static void applyDefer(KafkaDedupOptions<?> builder, Duration first, Duration max) {
        if (max != null) {
            builder.deferBackoff(first != null ? first : KafkaDedup.DEFAULT_DEFER_BACKOFF, max);
        } else if (first != null) {
            builder.deferBackoff(first);
        }
    }

    /**
     * The topic of a per-topic key ({@code dedup.kafka.topic.<topic>.key}). A topic name may itself contain dots, so
     * it is what lies between the prefix and the suffix, not a segment.
     */
    private static String topic(String key, String suffix) {
        String topic = key.substring(TOPIC_PREFIX.length(), key.length() - suffix.length());
        if (topic.isEmpty()) {
            throw new IllegalArgumentException("no topic name between " + TOPIC_PREFIX + " and " + suffix);
        }
        return topic;
    }

    /** Runs a setter, naming {@code key} in what it throws. */
    private static void named(String key, Runnable setter) {
        try {
            setter.run();
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().contains(key)) {
                throw e;
            }
            throw new IllegalArgumentException("invalid setting " + key + ": " + e.getMessage(), e);
        }
    }

    /** The keys {@link KafkaDedup#propertyNames()} lists and {@link #rejectUnknown} accepts, core's included. */
    private static Set<String> names() {
        Set<String> names = new TreeSet<>(Set.of(
                NAMESPACE,
                KEY,
                DEAD_LETTER_SUFFIX,
                MAX_ATTEMPTS,
                RETRY_BACKOFF,
                MAX_RETRY_BACKOFF,
                DEFER_BACKOFF,
                MAX_DEFER_BACKOFF,
                PASS_DEFERRED,
                TOPIC_KEY,
                TOPIC_DEAD_LETTER_TOPIC));
        DedupSettings.KEYS.forEach(key -> names.add(PREFIX + key));
        return Set.copyOf(names);
    }
}
