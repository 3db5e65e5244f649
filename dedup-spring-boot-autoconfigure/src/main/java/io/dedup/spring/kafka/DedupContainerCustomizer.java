package io.dedup.spring.kafka;

import io.dedup.DedupConsumer;
import io.dedup.KeyExtractor;
import io.dedup.kafka.RecordKeys;
import io.dedup.spi.DedupStore;
import io.dedup.spring.Deduplicated;
import io.dedup.spring.autoconfigure.DedupProperties;
import io.dedup.spring.observation.DedupOutcomes;
import io.dedup.spring.transaction.ClaimScope;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.kafka.config.ContainerCustomizer;
import org.springframework.kafka.listener.AbstractMessageListenerContainer;
import org.springframework.kafka.listener.BatchMessageListener;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.ContainerProperties.AckMode;
import org.springframework.kafka.listener.MessageListener;

/**
 * Deduplicates every listener container the application's container factory creates, by wrapping the container's
 * listener (record or batch) in {@link DedupRecordListener} / {@link DedupBatchListener}. Nothing else of the
 * container changes, so the application's record and batch interceptors, error handler, dead-letter recoverer,
 * observation and transaction settings apply as before. The one exception: a container in an automatic ack mode
 * (BATCH, RECORD, TIME, COUNT) is switched to MANUAL, because a record whose key is held elsewhere must be handed
 * back with {@code nack}; the wrapper then acknowledges on the listener's behalf, so the commits happen as in BATCH
 * mode.
 *
 * <p>When the application has its own {@code ContainerCustomizer} beans the starter composes with them instead of
 * defining this one as a bean (see {@code DedupKafkaAutoConfiguration}); a factory the application builds itself
 * gets deduplication by {@code factory.setContainerCustomizer(customizer)} with this bean's
 * {@link #deduplicate(AbstractMessageListenerContainer)}.
 *
 * <p>Thread-safe. Closing it (with the context) closes the consumers it built.
 */
public final class DedupContainerCustomizer
        implements ContainerCustomizer<Object, Object, ConcurrentMessageListenerContainer<Object, Object>>,
                DisposableBean {
    private final DedupProperties properties;
    private final DedupStore store;
    private final DeduplicatedListeners annotations;
    private final Object meterRegistry;
    private final DedupOutcomes outcomes;
    private final TransactionalScopeFactory transactions;
    private final List<DedupConsumer<?>> consumers = new CopyOnWriteArrayList<>();

    /** Builds a transactional claim scope when {@code dedup.jdbc.transactional} is set. */
    @FunctionalInterface
    interface TransactionalScopeFactory {
        ClaimScope create();
    }

    DedupContainerCustomizer(
            DedupProperties properties,
            DedupStore store,
            DeduplicatedListeners annotations,
            Object meterRegistry,
            DedupOutcomes outcomes,
            TransactionalScopeFactory transactions) {
        this.properties = Objects.requireNonNull(properties, "properties");
        this.store = Objects.requireNonNull(store, "store");
        this.annotations = Objects.requireNonNull(annotations, "annotations");
        this.meterRegistry = meterRegistry;
        this.outcomes = outcomes;
        this.transactions = transactions;
    }

    @Override
    public void configure(ConcurrentMessageListenerContainer<Object, Object> container) {
        deduplicate(container);
    }

    /**
     * Wraps {@code container}'s listener unless it is wrapped already or deduplication is turned off for it.
     *
     * @throws IllegalStateException if the container commits out of order (async acks), which cannot defer a record
     * @throws IllegalArgumentException if a key specification does not parse, naming it
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public void deduplicate(AbstractMessageListenerContainer<?, ?> container) {
        ContainerProperties containerProperties = container.getContainerProperties();
        Object listener = containerProperties.getMessageListener();
        if (listener == null || listener instanceof DedupRecordListener || listener instanceof DedupBatchListener) {
            return;
        }
        String id = container.getListenerId() != null ? container.getListenerId() : container.getBeanName();
        DedupProperties.Listener configured =
                properties.getKafka().getListeners().get(id);
        Optional<Deduplicated> annotated = annotations.forListener(id);
        if (annotated.isEmpty() && containerProperties.getTopics() != null) {
            for (String topic : containerProperties.getTopics()) {
                annotated = annotations.forTopic(topic);
                if (annotated.isPresent()) {
                    break;
                }
            }
        }
        if ((configured != null && !configured.isEnabled())
                || (annotated.isPresent() && !annotated.get().enabled())) {
            return;
        }
        if (containerProperties.isAsyncAcks()) {
            throw new IllegalStateException("listener " + id + " uses async acks (out-of-order commits); dedup must "
                    + "hand back records whose key is held elsewhere, which Kafka's nack cannot do out of order. "
                    + "Turn async acks off or set dedup.kafka.listeners." + id + ".enabled=false");
        }
        AckMode ackMode = containerProperties.getAckMode();
        boolean applicationAcks = ackMode == AckMode.MANUAL || ackMode == AckMode.MANUAL_IMMEDIATE;
        if (!applicationAcks) {
            containerProperties.setAckMode(AckMode.MANUAL);
        }
        DedupConsumer<ConsumerRecord<?, ?>> dedup = consumer(id, container, configured, annotated);
        ClaimScope scope = properties.getJdbc().isTransactional() ? transactions.create() : ClaimScope.LEASED;
        ListenerGuard guard = new ListenerGuard(
                id, dedup, scope, properties.getKafka().getInProgressBackoff(), applicationAcks, outcomes);
        if (listener instanceof BatchMessageListener batch) {
            container.setupMessageListener(new DedupBatchListener<>(batch, guard));
        } else if (listener instanceof MessageListener record) {
            container.setupMessageListener(new DedupRecordListener<>(record, guard));
        }
    }

    private DedupConsumer<ConsumerRecord<?, ?>> consumer(
            String id,
            AbstractMessageListenerContainer<?, ?> container,
            DedupProperties.Listener configured,
            Optional<Deduplicated> annotated) {
        String namespace = firstText(
                configured == null ? null : configured.getNamespace(),
                annotated.map(Deduplicated::namespace).orElse(null),
                properties.getNamespace(),
                container.getGroupId(),
                id);
        DedupConsumer.Builder<ConsumerRecord<?, ?>> builder = DedupConsumer.<ConsumerRecord<?, ?>>builder(
                        keys(configured, annotated))
                .store(store)
                .namespace(namespace)
                .retention(properties.getRetention())
                .lease(properties.getLease())
                .digestAllKeys(properties.isDigestAllKeys())
                .storeUnavailablePolicy(properties.getStoreUnavailable())
                .messageDescriber(r -> r.topic() + "-" + r.partition() + "@" + r.offset())
                .metricTag("listener", id);
        if (meterRegistry != null) {
            builder.meterRegistry(meterRegistry);
        }
        DedupConsumer<ConsumerRecord<?, ?>> dedup = builder.build();
        consumers.add(dedup);
        return dedup;
    }

    /** The listener's key (property, then annotation), else per topic (property, then annotation), else the default. */
    private KeyExtractor<ConsumerRecord<?, ?>> keys(
            DedupProperties.Listener configured, Optional<Deduplicated> annotated) {
        String listenerSpec = firstText(
                configured == null ? null : configured.getKey(),
                annotated.map(Deduplicated::key).orElse(null));
        if (listenerSpec != null) {
            return RecordKeys.parse(listenerSpec);
        }
        KeyExtractor<ConsumerRecord<?, ?>> fallback =
                RecordKeys.parse(properties.getKafka().getKey());
        Map<String, KeyExtractor<ConsumerRecord<?, ?>>> perTopic = new ConcurrentHashMap<>();
        properties.getKafka().getTopics().forEach((topic, spec) -> perTopic.put(topic, RecordKeys.parse(spec)));
        return KeyExtractor.ofRaw(record -> perTopic.computeIfAbsent(record.topic(), topic -> annotations
                        .forTopic(topic)
                        .map(a -> RecordKeys.parse(a.key()))
                        .orElse(fallback))
                .extractRaw(record)); // extractRaw, not extract: binary header keys stay binary
    }

    private static String firstText(String... candidates) {
        for (String candidate : candidates) {
            if (candidate != null && !candidate.isBlank()) {
                return candidate;
            }
        }
        return null;
    }

    @Override
    public void destroy() {
        for (DedupConsumer<?> consumer : consumers) {
            consumer.close();
        }
        consumers.clear();
    }
}
