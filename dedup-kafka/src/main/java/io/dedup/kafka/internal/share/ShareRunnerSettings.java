package io.dedup.kafka.internal.share;

import io.dedup.DedupConsumerBuilder;
import io.dedup.DedupSettings;
import io.dedup.KeyExtractor;
import io.dedup.kafka.share.ShareRecordHandler;
import io.dedup.kafka.share.TransactionalShareHandler;
import io.dedup.spi.DedupStore;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * What a share runner builder validated, handed to {@link ShareRunnerAssembly} in one piece. Immutable as far as its
 * parts are.
 *
 * @param consumerConfig the user's consumer configuration, {@code dedup.*} keys included
 * @param groupId the share group, also the stem of the dead-letter producer's client id
 * @param namespace what keys are unique within (by default the share group's id)
 * @param topicKeys per topic, a key extractor other than {@code defaultKeys}
 * @param offsetFallback whether a record without a key is keyed by its position
 * @param store the store, or null to discover one (closed with the runner then)
 * @param settings retention, policies and key digests; its lease is replaced by one that follows the lock
 * @param meterRegistry a Micrometer {@code MeterRegistry}, or null
 * @param dedupOptions the user's further dedup-consumer options, applied after {@code settings} and the lease, which
 *     they must not replace
 * @param deliveryLimit the group's {@code share.delivery.count.limit}
 * @param lockRenewal whether locks (and with them store leases) are renewed while a handler runs
 * @param deadLetterTopics per topic, a dead-letter topic other than {@code topic + deadLetterSuffix}
 * @param deadLetterProducerConfig the user's settings for the dead-letter producer, over the consumer's
 * @param firstBackoff the first wait after the store failed, doubled per failed try up to {@code maxBackoff}
 * @param handler the leased mode's handler, or null in the transactional mode
 * @param transactionalHandler the transactional mode's handler, or null in the leased mode
 */
public record ShareRunnerSettings<K, V>(
        Map<String, Object> consumerConfig,
        String groupId,
        Deserializer<K> keyDeserializer,
        Deserializer<V> valueDeserializer,
        Collection<String> topics,
        String namespace,
        Map<String, KeyExtractor<? super ConsumerRecord<?, ?>>> topicKeys,
        KeyExtractor<? super ConsumerRecord<?, ?>> defaultKeys,
        boolean offsetFallback,
        DedupStore store,
        DedupSettings settings,
        Object meterRegistry,
        Consumer<DedupConsumerBuilder<ConsumerRecord<?, ?>>> dedupOptions,
        int deliveryLimit,
        boolean lockRenewal,
        Map<String, String> deadLetterTopics,
        String deadLetterSuffix,
        Map<String, Object> deadLetterProducerConfig,
        Duration pollTimeout,
        Duration firstBackoff,
        Duration maxBackoff,
        ShareRecordHandler<K, V> handler,
        TransactionalShareHandler<K, V> transactionalHandler) {}
