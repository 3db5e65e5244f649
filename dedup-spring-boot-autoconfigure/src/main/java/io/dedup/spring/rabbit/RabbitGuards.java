package io.dedup.spring.rabbit;

import com.rabbitmq.client.Delivery;
import com.rabbitmq.client.Envelope;
import io.dedup.DedupConsumer;
import io.dedup.KeyExtractor;
import io.dedup.rabbitmq.RabbitKeys;
import io.dedup.spi.DedupStore;
import io.dedup.spring.Deduplicated;
import io.dedup.spring.autoconfigure.DedupProperties;
import io.dedup.spring.observation.DedupOutcomes;
import io.dedup.spring.transaction.ClaimScope;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.springframework.amqp.core.AcknowledgeMode;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.config.RabbitListenerConfigUtils;
import org.springframework.amqp.rabbit.listener.AbstractMessageListenerContainer;
import org.springframework.amqp.rabbit.listener.MessageListenerContainer;
import org.springframework.amqp.rabbit.listener.RabbitListenerEndpointRegistry;
import org.springframework.amqp.rabbit.listener.SimpleMessageListenerContainer;
import org.springframework.amqp.rabbit.listener.api.ChannelAwareBatchMessageListener;
import org.springframework.amqp.rabbit.support.DefaultMessagePropertiesConverter;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.SmartLifecycle;

/**
 * The deduplication of every {@code @RabbitListener} container, one {@link QueueGuard} per queue it consumes.
 * Before the containers start (a {@link SmartLifecycle} of an earlier phase than Spring AMQP's endpoint registry) it
 * checks every container and refuses the ones dedup cannot serve, naming the listener: acknowledge mode NONE (the
 * broker forgets a delivery before dedup has recorded anything, so a held key could not be handed back), async
 * replies (the ack follows a future dedup does not see), consumer-side batches, and a queue consumed by two
 * deduplicated containers with different settings. Containers registered later are resolved on their first message.
 *
 * <p>Thread-safe. Closing it (with the context) closes the consumers it built.
 */
final class RabbitGuards implements SmartLifecycle, DisposableBean {
    private static final DefaultMessagePropertiesConverter PROPERTIES = new DefaultMessagePropertiesConverter();

    private final DedupProperties properties;
    private final DedupStore store;
    private final DeduplicatedRabbitListeners annotations;
    private final BeanFactory beans;
    private final Object meterRegistry;
    private final DedupOutcomes outcomes;
    private final Supplier<ClaimScope> transactions;
    private final Map<String, Optional<QueueGuard>> byQueue = new ConcurrentHashMap<>();
    private final Map<AbstractMessageListenerContainer, Boolean> seen = new ConcurrentHashMap<>();
    private final List<DedupConsumer<?>> consumers = new CopyOnWriteArrayList<>();
    private volatile boolean running;

    RabbitGuards(
            DedupProperties properties,
            DedupStore store,
            DeduplicatedRabbitListeners annotations,
            BeanFactory beans,
            Object meterRegistry,
            DedupOutcomes outcomes,
            Supplier<ClaimScope> transactions) {
        this.properties = properties;
        this.store = store;
        this.annotations = annotations;
        this.beans = beans;
        this.meterRegistry = meterRegistry;
        this.outcomes = outcomes;
        this.transactions = transactions;
    }

    /** The guard of the queue a message was consumed from; empty when its listener is not deduplicated. */
    Optional<QueueGuard> forQueue(String queue) {
        if (queue == null) {
            return Optional.empty();
        }
        Optional<QueueGuard> known = byQueue.get(queue);
        if (known != null) {
            return known;
        }
        synchronized (this) {
            for (MessageListenerContainer container : containers()) {
                guard(container);
            }
            return byQueue.computeIfAbsent(queue, q -> Optional.empty());
        }
    }

    @Override
    public synchronized void start() {
        for (MessageListenerContainer container : containers()) {
            guard(container);
        }
        running = true;
    }

    private List<MessageListenerContainer> containers() {
        if (!beans.containsBean(RabbitListenerConfigUtils.RABBIT_LISTENER_ENDPOINT_REGISTRY_BEAN_NAME)) {
            return List.of();
        }
        RabbitListenerEndpointRegistry registry = beans.getBean(
                RabbitListenerConfigUtils.RABBIT_LISTENER_ENDPOINT_REGISTRY_BEAN_NAME,
                RabbitListenerEndpointRegistry.class);
        return new ArrayList<>(registry.getListenerContainers());
    }

    /**
     * Builds the guards of a container's queues, once.
     *
     * @throws IllegalStateException naming the listener, for a container dedup cannot serve
     */
    private void guard(MessageListenerContainer candidate) {
        if (!(candidate instanceof AbstractMessageListenerContainer container)) {
            return;
        }
        String id = container.getListenerId();
        DedupProperties.Listener configured =
                id == null ? null : properties.getRabbit().getListeners().get(id);
        Optional<Deduplicated> byId = annotations.forListener(id);
        String[] queues = container.getQueueNames();
        if ((configured != null && !configured.isEnabled())
                || (byId.isPresent() && !byId.get().enabled())
                || queues.length == 0
                || alreadyGuarded(container)) {
            return;
        }
        String name = "@RabbitListener " + (id == null ? "" : "'" + id + "' ") + "on " + String.join(", ", queues);
        AcknowledgeMode ackMode = container.getAcknowledgeMode();
        if (ackMode == AcknowledgeMode.NONE) {
            throw new IllegalStateException(name + " uses acknowledge mode NONE: the broker forgets each message as "
                    + "it sends it, so dedup could neither record its key before the ack nor hand back a message whose "
                    + "key is held elsewhere. Use AUTO (the default) or MANUAL, or set dedup.rabbit.listeners."
                    + (id == null ? "<id>" : id) + ".enabled=false");
        }
        if (container.getMessageListener() != null
                && container.getMessageListener().isAsyncReplies()) {
            throw new IllegalStateException(name + " returns an asynchronous reply (a future or a Mono): its ack "
                    + "follows the future, after dedup settled the key. Return the reply itself, or set "
                    + "dedup.rabbit.listeners." + (id == null ? "<id>" : id) + ".enabled=false");
        }
        if ((container instanceof SimpleMessageListenerContainer simple && simple.isConsumerBatchEnabled())
                || container.getMessageListener() instanceof ChannelAwareBatchMessageListener) {
            throw new IllegalStateException(name + " is a batch listener; dedup deduplicates @RabbitListener "
                    + "methods that take one message (the prefetch window is claimed message by message). Set "
                    + "dedup.rabbit.listeners." + (id == null ? "<id>" : id) + ".enabled=false");
        }
        if (container.getMessageListener() != null) {
            container.setMessageListener(DedupRabbitAdvice.recording(container.getMessageListener()));
        }
        for (String queue : queues) {
            Optional<Deduplicated> annotated = byId.isPresent() ? byId : annotations.forQueue(queue);
            if (annotated.isPresent() && !annotated.get().enabled()) {
                byQueue.putIfAbsent(queue, Optional.empty());
                continue;
            }
            QueueGuard guard = new QueueGuard(
                    id == null ? queue : id,
                    queue,
                    consumer(id, queue, configured, annotated),
                    properties.getJdbc().isTransactional() ? transactions.get() : ClaimScope.LEASED,
                    ackMode == AcknowledgeMode.MANUAL,
                    properties.getRabbit().getInProgressBackoff(),
                    outcomes);
            Optional<QueueGuard> earlier = byQueue.putIfAbsent(queue, Optional.of(guard));
            if (earlier != null && earlier.isPresent() && earlier.get().manualAcks() != guard.manualAcks()) {
                throw new IllegalStateException(name + ": queue " + queue + " is also consumed by @RabbitListener '"
                        + earlier.get().listenerId() + "' with another acknowledge mode; dedup keeps one setting "
                        + "per queue");
            }
        }
    }

    private boolean alreadyGuarded(AbstractMessageListenerContainer container) {
        return seen.putIfAbsent(container, Boolean.TRUE) != null;
    }

    private DedupConsumer<Message> consumer(
            String id, String queue, DedupProperties.Listener configured, Optional<Deduplicated> annotated) {
        String namespace = firstText(
                configured == null ? null : configured.getNamespace(),
                annotated.map(Deduplicated::namespace).orElse(null),
                properties.getNamespace(),
                queue);
        String spec = firstText(
                configured == null ? null : configured.getKey(),
                annotated.map(Deduplicated::key).orElse(null),
                properties.getRabbit().getQueues().get(queue),
                properties.getRabbit().getKey());
        KeyExtractor<Delivery> keys = RabbitKeys.parse(spec);
        DedupConsumer.Builder<Message> builder = DedupConsumer.<Message>builder(
                        message -> keys.extract(delivery(message)))
                .store(store)
                .namespace(namespace)
                .retention(properties.getRetention())
                .lease(properties.getLease())
                .digestAllKeys(properties.isDigestAllKeys())
                .storeUnavailablePolicy(properties.getStoreUnavailable())
                .messageDescriber(m -> queue + "#" + m.getMessageProperties().getDeliveryTag())
                .metricTag("listener", id == null ? queue : id);
        if (meterRegistry != null) {
            builder.meterRegistry(meterRegistry);
        }
        DedupConsumer<Message> dedup = builder.build();
        consumers.add(dedup);
        return dedup;
    }

    /** The message as the RabbitMQ adapter's key extractors read it. */
    private static Delivery delivery(Message message) {
        var props = message.getMessageProperties();
        Envelope envelope = new Envelope(
                props.getDeliveryTag(),
                Boolean.TRUE.equals(props.getRedelivered()),
                props.getReceivedExchange(),
                props.getReceivedRoutingKey());
        return new Delivery(
                envelope, PROPERTIES.fromMessageProperties(props, StandardCharsets.UTF_8.name()), message.getBody());
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
    public void stop() {
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Before Spring AMQP's endpoint registry, which starts the containers. */
    @Override
    public int getPhase() {
        return AbstractMessageListenerContainer.DEFAULT_PHASE - 1000;
    }

    @Override
    public void destroy() {
        for (DedupConsumer<?> consumer : consumers) {
            consumer.close();
        }
        consumers.clear();
    }
}
