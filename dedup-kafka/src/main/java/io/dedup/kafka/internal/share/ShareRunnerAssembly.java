package io.dedup.kafka.internal.share;

import io.dedup.DedupConsumer;
import io.dedup.DedupConsumerBuilder;
import io.dedup.DedupSettings;
import io.dedup.KeyExtractor;
import io.dedup.kafka.internal.ClientConfigs;
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
     * The loop of a share runner with {@code settings}; nothing is connected until it runs.
     *
     * @throws IllegalStateException (when the loop makes its dedup consumer) for the transactional mode over a store
     *     without transactions
     * @throws org.apache.kafka.common.KafkaException if a client cannot be created; nothing is left open then
     */
    public static <K, V> ShareLoop<K, V> loop(ShareRunnerSettings<K, V> settings) {
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
        KeyExtractor<ConsumerRecord<?, ?>> keys = keyExtractor(settings);
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
     * The dedup consumer for a store lease of {@code lease}. The shared settings come after the user's options, with
     * the lease replaced by the one that follows the acquisition lock, which the options must not change; without
     * lock renewal the store lease is not renewed either, so that it runs out with the lock.
     */
    private static DedupConsumer<ConsumerRecord<?, ?>> dedupConsumer(
            ShareRunnerSettings<?, ?> settings, KeyExtractor<ConsumerRecord<?, ?>> keys, Duration lease) {
        DedupConsumerBuilder<ConsumerRecord<?, ?>> b = DedupConsumer.<ConsumerRecord<?, ?>>builder(keys)
                .namespace(settings.namespace())
                .messageDescriber(HeldRecords::id);
        if (settings.store() != null) {
            b.store(settings.store());
        }
        if (settings.meterRegistry() != null) {
            b.meterRegistry(settings.meterRegistry());
        }
        settings.dedupOptions().accept(b);
        DedupSettings.Builder shared = DedupSettings.from(settings.settings()).lease(lease);
        if (!settings.lockRenewal()) {
            shared.leaseRenewalFraction(0);
        }
        b.settings(shared.build());
        DedupConsumer<ConsumerRecord<?, ?>> built = b.build();
        if (settings.transactionalHandler() != null
                && built.store().capability(TransactionalStore.class).isEmpty()) {
            built.close();
            throw new IllegalStateException("transactionalStore needs a store with transactions (dedup-jdbc-store)");
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
