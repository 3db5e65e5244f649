package io.dedup.kafka.internal.share;

import io.dedup.DedupConsumer;
import io.dedup.DedupConsumerBuilder;
import io.dedup.DedupSettings;
import io.dedup.KeyExtractor;
import io.dedup.kafka.internal.ClientConfigs;
import io.dedup.memory.InMemoryDedupStore;
import io.dedup.spi.TransactionalStore;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.consumer.ShareConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Builds a share runner's parts from its validated settings: the dead-letter producer, the share consumer in explicit
 * acknowledgement mode, and the factories of the dedup consumer and batch, which the loop calls once it knows the
 * acquisition lock.
 *
 * <p>Thread-safe: stateless.
 */
public final class ShareRunnerAssembly {
    private ShareRunnerAssembly() {}

    /**
     * The loop of a share runner with {@code settings}; nothing is connected until it runs. The user's dedup options
     * are tried first, on a probe (see {@link #checkDedupOptions}), so that options the runner would refuse once the
     * first records arrived are refused now.
     *
     * @throws IllegalArgumentException if the dedup options call {@code settings(...)}, or one of their setters
     *     refuses its argument
     * @throws IllegalStateException (when the loop makes its dedup consumer) for the transactional mode over a store
     *     without transactions
     * @throws org.apache.kafka.common.KafkaException if a client cannot be created; nothing is left open then
     */
    public static <K, V> ShareLoop<K, V> loop(ShareRunnerSettings<K, V> settings) {
        KeyExtractor<ConsumerRecord<?, ?>> keys = keyExtractor(settings);
        checkDedupOptions(settings, keys);
        Producer<byte[], byte[]> producer = ClientConfigs.deadLetterProducer(
                settings.consumerConfig(),
                settings.groupId() + "-share-dead-letters",
                settings.deadLetterProducerConfig());
        ShareConsumer<byte[], byte[]> consumer;
        try {
            Map<String, Object> config = ClientConfigs.consumerConfig(settings.consumerConfig());
            config.put(ConsumerConfig.SHARE_ACKNOWLEDGEMENT_MODE_CONFIG, "explicit");
            consumer = new KafkaShareConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        } catch (RuntimeException e) {
            producer.close();
            throw e;
        }
        ShareDeadLetters deadLetters = new ShareDeadLetters(
                producer, settings.deadLetterTopics(), settings.deadLetterSuffix(), Duration.ofSeconds(30));
        Function<DedupConsumer<ConsumerRecord<?, ?>>, ShareBatch<K, V>> batchFactory = dedup -> new ShareBatch<>(
                dedup,
                settings.keyDeserializer(),
                settings.valueDeserializer(),
                settings.handler(),
                settings.transactionalHandler(),
                settings.deliveryLimit());
        return new ShareLoop<>(
                consumer,
                settings.topics(),
                settings.namespace(),
                lease -> dedupConsumer(settings, keys, lease),
                batchFactory,
                producer,
                deadLetters,
                ShareMetrics.of(settings.meterRegistry(), settings.namespace()),
                settings);
    }

    /**
     * Applies the user's dedup options to a probe builder and builds it, to refuse at {@code build()} what {@link
     * #dedupConsumer} would refuse only once the first records arrived. The probe touches nothing outside itself: its
     * store is a new in-memory one (or the one the options give, which a consumer does not call before it claims nor
     * close when it did not choose it), and its meters go to a registry of its own, set after the options, since a
     * registry the options set would keep the probe's meters. A consumer that never claimed starts no thread. The
     * options themselves run once more when the dedup consumer is made.
     *
     * @throws IllegalArgumentException if the options call {@code settings(...)}, or one of their setters refuses its
     *     argument
     */
    private static void checkDedupOptions(ShareRunnerSettings<?, ?> settings, KeyExtractor<ConsumerRecord<?, ?>> keys) {
        DedupSettings probeSettings = DedupSettings.from(settings.settings()).build();
        try (InMemoryDedupStore probeStore = InMemoryDedupStore.create()) {
            DedupConsumerBuilder<ConsumerRecord<?, ?>> b = DedupConsumer.<ConsumerRecord<?, ?>>builder(keys)
                    .namespace(settings.namespace())
                    .store(probeStore)
                    .settings(probeSettings);
            settings.dedupOptions().accept(b);
            Object ownRegistry = throwawayMeterRegistry();
            if (ownRegistry != null) {
                b.meterRegistry(ownRegistry);
            }
            requireSettingsKept(b.build(), probeSettings).close();
        }
    }

    /**
     * A registry nobody reads, when Micrometer is on the class path; null otherwise, and then the options cannot have
     * set a registry either (the builder accepts only a Micrometer {@code MeterRegistry}).
     */
    private static Object throwawayMeterRegistry() {
        try {
            return Class.forName("io.micrometer.core.instrument.simple.SimpleMeterRegistry")
                    .getConstructor()
                    .newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            return null;
        }
    }

    /**
     * The dedup consumer for a store lease of {@code lease}. The shared settings, with the lease replaced by the one
     * that follows the acquisition lock, are set before the user's options, which must not replace them: a consumer
     * built with other settings is closed and refused. Without lock renewal the store lease is not renewed either, so
     * that it runs out with the lock.
     *
     * @throws IllegalArgumentException if the options called {@code settings(...)}
     */
    private static DedupConsumer<ConsumerRecord<?, ?>> dedupConsumer(
            ShareRunnerSettings<?, ?> settings, KeyExtractor<ConsumerRecord<?, ?>> keys, Duration lease) {
        DedupSettings.Builder sharedBuilder =
                DedupSettings.from(settings.settings()).lease(lease);
        if (!settings.lockRenewal()) {
            sharedBuilder.leaseRenewalFraction(0);
        }
        DedupSettings shared = sharedBuilder.build();
        DedupConsumerBuilder<ConsumerRecord<?, ?>> b = DedupConsumer.<ConsumerRecord<?, ?>>builder(keys)
                .namespace(settings.namespace())
                .messageDescriber(HeldRecords::id)
                .settings(shared);
        if (settings.store() != null) {
            b.store(settings.store());
        }
        if (settings.meterRegistry() != null) {
            b.meterRegistry(settings.meterRegistry());
        }
        settings.dedupOptions().accept(b);
        DedupConsumer<ConsumerRecord<?, ?>> built = requireSettingsKept(b.build(), shared);
        if (settings.transactionalHandler() != null
                && built.store().capability(TransactionalStore.class).isEmpty()) {
            built.close();
            throw new IllegalStateException("transactionalStore needs a store with transactions (dedup-jdbc-store)");
        }
        return built;
    }

    /**
     * {@code built}, if it kept the very settings the runner gave its builder ({@code DedupConsumer.settings()}
     * returns the instance its builder was given); otherwise closes it and throws.
     *
     * @throws IllegalArgumentException if the options replaced the settings
     */
    private static DedupConsumer<ConsumerRecord<?, ?>> requireSettingsKept(
            DedupConsumer<ConsumerRecord<?, ?>> built, DedupSettings given) {
        if (built.settings() != given) {
            built.close();
            throw new IllegalArgumentException(
                    "dedupOptions must not call settings(...): the share runner sets the lease from the acquisition"
                            + " lock; pass retention, policies and renewal to KafkaShareDedupRunnerBuilder.settings(...)"
                            + " instead");
        }
        return built;
    }

    /**
     * One extractor for all topics: the topic's own, else the default, else (with the offset fallback) the record's
     * position, which a share group keeps across the redeliveries of a record. An unreadable key is not replaced by
     * the fallback: {@code orElse} applies only to a key that is missing.
     */
    private static KeyExtractor<ConsumerRecord<?, ?>> keyExtractor(ShareRunnerSettings<?, ?> settings) {
        Map<String, KeyExtractor<? super ConsumerRecord<?, ?>>> perTopic = settings.topicKeys();
        KeyExtractor<? super ConsumerRecord<?, ?>> fallbackKeys = settings.defaultKeys();
        KeyExtractor<ConsumerRecord<?, ?>> configured = KeyExtractor.ofRaw(
                record -> perTopic.getOrDefault(record.topic(), fallbackKeys).extractRaw(record));
        if (!settings.offsetFallback()) {
            return configured;
        }
        return configured.orElse(
                record -> Optional.of("offset:" + record.topic() + "-" + record.partition() + "@" + record.offset()));
    }
}
