package io.dedup.spring.kafka;

import static io.dedup.spring.internal.ListenerConsumers.firstText;

import io.dedup.DedupConsumer;
import io.dedup.KeyExtractor;
import io.dedup.kafka.RecordKeys;
import io.dedup.spring.Deduplicated;
import io.dedup.spring.autoconfigure.DedupKafkaProperties;
import io.dedup.spring.autoconfigure.DedupListenerProperties;
import io.dedup.spring.internal.ListenerConsumers;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
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
 * <p>Precedence of a listener's settings, highest first: {@code dedup.kafka.listeners.<id>.*} (so that an operator
 * can override a deployed application), its {@code @Deduplicated} annotation (found by listener id, else by topic),
 * {@code dedup.kafka.topics.<topic>}, then the {@code dedup.kafka.*} and {@code dedup.*} defaults. The namespace falls
 * back to the container's consumer group, so that two applications reading one topic in different groups each
 * process every record once.
 *
 * <p>Thread-safe. Closing it (with the context) closes the consumers it built.
 */
public final class DedupContainerCustomizer
        implements ContainerCustomizer<Object, Object, ConcurrentMessageListenerContainer<Object, Object>>,
                DisposableBean {
    private final ListenerConsumers consumers;
    private final DeduplicatedListeners annotations;

    DedupContainerCustomizer(ListenerConsumers consumers, DeduplicatedListeners annotations) {
        this.consumers = Objects.requireNonNull(consumers, "consumers");
        this.annotations = Objects.requireNonNull(annotations, "annotations");
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
        // Already ours: a factory may run both the composed customizer and this one on the same container.
        if (listener == null || listener instanceof DedupRecordListener || listener instanceof DedupBatchListener) {
            return;
        }
        String id = container.getListenerId() != null ? container.getListenerId() : container.getBeanName();
        DedupKafkaProperties kafka = consumers.properties().kafka();
        DedupListenerProperties configured = kafka.listener(id);
        Optional<Deduplicated> annotated = annotations.forListener(id);
        if (annotated.isEmpty() && containerProperties.getTopics() != null) {
            for (String topic : containerProperties.getTopics()) {
                annotated = annotations.forTopic(topic);
                if (annotated.isPresent()) {
                    break;
                }
            }
        }
        if ((configured != null && !configured.enabled())
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
            // nack (the hand-back of a held key) exists only in the manual modes; the wrapper then acks on the
            // listener's behalf, so the commits are what the application's automatic mode would have made.
            containerProperties.setAckMode(AckMode.MANUAL);
        }
        DedupConsumer<ConsumerRecord<?, ?>> dedup = consumers.build(
                keys(configured, annotated),
                namespace(id, container, configured, annotated),
                id,
                r -> r.topic() + "-" + r.partition() + "@" + r.offset());
        ListenerGuard guard = new ListenerGuard(
                id, dedup, consumers.claimScope(), kafka.inProgressBackoff(), applicationAcks, consumers.outcomes());
        if (listener instanceof BatchMessageListener batch) {
            container.setupMessageListener(new DedupBatchListener<>(batch, guard));
        } else if (listener instanceof MessageListener record) {
            container.setupMessageListener(new DedupRecordListener<>(record, guard));
        }
    }

    /** Listener property, annotation, {@code dedup.namespace}, then the consumer group (then the id, groupless). */
    private String namespace(
            String id,
            AbstractMessageListenerContainer<?, ?> container,
            DedupListenerProperties configured,
            Optional<Deduplicated> annotated) {
        return firstText(
                configured == null ? null : configured.namespace(),
                annotated.map(Deduplicated::namespace).orElse(null),
                consumers.properties().namespace(),
                container.getGroupId(),
                id);
    }

    /** The listener's key (property, then annotation), else per topic (property, then annotation), else the default. */
    private KeyExtractor<ConsumerRecord<?, ?>> keys(
            DedupListenerProperties configured, Optional<Deduplicated> annotated) {
        String listenerSpec = firstText(
                configured == null ? null : configured.key(),
                annotated.map(Deduplicated::key).orElse(null));
        if (listenerSpec != null) {
            return RecordKeys.parse(listenerSpec);
        }
        DedupKafkaProperties kafka = consumers.properties().kafka();
        KeyExtractor<ConsumerRecord<?, ?>> fallback = RecordKeys.parse(kafka.key());
        Map<String, KeyExtractor<ConsumerRecord<?, ?>>> perTopic = new ConcurrentHashMap<>();
        kafka.topics().forEach((topic, spec) -> perTopic.put(topic, RecordKeys.parse(spec)));
        // Topics are resolved on first sight: a pattern subscription meets topics that did not exist at start-up.
        return KeyExtractor.ofRaw(record -> perTopic.computeIfAbsent(record.topic(), topic -> annotations
                        .forTopic(topic)
                        .map(a -> RecordKeys.parse(a.key()))
                        .orElse(fallback))
                .extractRaw(record)); // extractRaw, not extract: binary header keys stay binary
    }

    @Override
    public void destroy() {
        consumers.close();
    }
}
