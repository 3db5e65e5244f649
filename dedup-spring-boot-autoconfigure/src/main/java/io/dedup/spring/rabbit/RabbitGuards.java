package io.dedup.spring.rabbit;

import static io.dedup.spring.internal.ListenerConsumers.firstText;

import com.rabbitmq.client.Delivery;
import com.rabbitmq.client.Envelope;
import io.dedup.DedupConsumer;
import io.dedup.KeyExtractor;
import io.dedup.rabbitmq.RabbitKeys;
import io.dedup.spring.Deduplicated;
import io.dedup.spring.autoconfigure.DedupListenerProperties;
import io.dedup.spring.autoconfigure.DedupProperties;
import io.dedup.spring.autoconfigure.DedupRabbitProperties;
import io.dedup.spring.internal.ListenerConsumers;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
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

    private final ListenerConsumers consumers;
    private final DeduplicatedRabbitListeners annotations;
    private final BeanFactory beans;
    // Optional.empty() marks a queue known not to be deduplicated, so that its messages skip the container scan.
    private final Map<String, Optional<QueueGuard>> byQueue = new ConcurrentHashMap<>();
    // Containers already checked, by identity: checked at start-up and again on a message of an unknown queue.
    private final Map<AbstractMessageListenerContainer, Boolean> seen = new ConcurrentHashMap<>();
    // The guarded containers of each queue: a waiting message stops waiting when one of them is stopping.
    private final Map<String, List<AbstractMessageListenerContainer>> consumersOf = new ConcurrentHashMap<>();
    private volatile boolean running;

    RabbitGuards(ListenerConsumers consumers, DeduplicatedRabbitListeners annotations, BeanFactory beans) {
        this.consumers = Objects.requireNonNull(consumers, "consumers");
        this.annotations = Objects.requireNonNull(annotations, "annotations");
        this.beans = Objects.requireNonNull(beans, "beans");
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
        // A queue not seen yet: a container registered after start-up (RabbitListenerEndpointRegistry's
        // registerListenerContainer at run time), or a queue whose listener is not deduplicated. Scanned under the
        // lock so that two consumer threads never build two guards for one queue.
        synchronized (this) {
            for (MessageListenerContainer container : containers()) {
                guard(container);
            }
            return byQueue.computeIfAbsent(queue, q -> Optional.empty());
        }
    }

    /**
     * Checks and guards every container the endpoint registry holds, before the registry starts them.
     *
     * @throws IllegalStateException naming the listener, for a container dedup cannot serve: start-up fails rather
     *     than run a listener whose duplicates would go through
     */
    @Override
    public synchronized void start() {
        for (MessageListenerContainer container : containers()) {
            guard(container);
        }
        running = true;
    }

    /**
     * The containers of Spring AMQP's endpoint registry, looked up each time rather than injected: the registry may
     * not exist (an application without listener endpoints), and containers may join it after start-up.
     */
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
        DedupRabbitProperties rabbit = consumers.properties().rabbit();
        DedupListenerProperties configured = rabbit.listener(id);
        Optional<Deduplicated> byId = annotations.forListener(id);
        String[] queues = container.getQueueNames();
        if ((configured != null && !configured.enabled())
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
            container.setMessageListener(ListenerAttempts.recording(container.getMessageListener()));
        }
        for (String queue : queues) {
            Optional<Deduplicated> annotated = byId.isPresent() ? byId : annotations.forQueue(queue);
            if (annotated.isPresent() && !annotated.get().enabled()) {
                byQueue.putIfAbsent(queue, Optional.empty());
                continue;
            }
            List<AbstractMessageListenerContainer> ofQueue =
                    consumersOf.computeIfAbsent(queue, q -> new CopyOnWriteArrayList<>());
            ofQueue.add(container);
            QueueGuard guard = new QueueGuard(
                    id == null ? queue : id,
                    queue,
                    consumer(id, queue, configured, annotated),
                    consumers.claimScope(),
                    ackMode == AcknowledgeMode.MANUAL,
                    rabbit.inProgressBackoff(),
                    () -> stopping(ofQueue),
                    consumers.outcomes());
            Optional<QueueGuard> earlier = byQueue.putIfAbsent(queue, Optional.of(guard));
            if (earlier != null && earlier.isPresent() && earlier.get().manualAcks() != guard.manualAcks()) {
                throw new IllegalStateException(name + ": queue " + queue + " is also consumed by @RabbitListener '"
                        + earlier.get().listenerId() + "' with another acknowledge mode; dedup keeps one setting "
                        + "per queue");
            }
        }
    }

    /**
     * Whether one of the containers is stopping: it has begun to shut down (no longer active) and not finished (still
     * running), so it waits for its consumers to let go of their messages. Which container a message came from the
     * advice cannot tell; a queue has one in all but rare set-ups, and with two a waiting message handed back early
     * is delivered again.
     */
    private static boolean stopping(List<AbstractMessageListenerContainer> containers) {
        for (AbstractMessageListenerContainer container : containers) {
            if (container.isRunning() && !container.isActive()) {
                return true;
            }
        }
        return false;
    }

    /** Whether the container was looked at before; marks it looked at. Checked once, even if refused. */
    private boolean alreadyGuarded(AbstractMessageListenerContainer container) {
        return seen.putIfAbsent(container, Boolean.TRUE) != null;
    }

    /**
     * The consumer of one queue. Precedence, highest first: {@code dedup.rabbit.listeners.<id>.*}, the listener's
     * {@code @Deduplicated}, {@code dedup.rabbit.queues.<queue>} (key only), the {@code dedup.*} defaults; the
     * namespace falls back to the queue, so that a key is scoped to the queue its message came from.
     */
    private DedupConsumer<Message> consumer(
            String id, String queue, DedupListenerProperties configured, Optional<Deduplicated> annotated) {
        DedupProperties properties = consumers.properties();
        String namespace = firstText(
                configured == null ? null : configured.namespace(),
                annotated.map(Deduplicated::namespace).orElse(null),
                properties.namespace(),
                queue);
        String spec = firstText(
                configured == null ? null : configured.key(),
                annotated.map(Deduplicated::key).orElse(null),
                properties.rabbit().queues().get(queue),
                properties.rabbit().key());
        KeyExtractor<Delivery> keys = RabbitKeys.parse(spec);
        return consumers.build(
                message -> keys.extract(delivery(message)),
                namespace,
                id == null ? queue : id,
                m -> queue + "#" + m.getMessageProperties().getDeliveryTag());
    }

    /**
     * The message as the RabbitMQ adapter's key extractors read it: the client's {@code Delivery}, rebuilt from
     * Spring's message, so that one key grammar ({@code dedup.rabbit.key}) means the same with and without Spring.
     */
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

    /** Closes the consumers (their lease renewers); the store is the context's and closed by it. */
    @Override
    public void destroy() {
        consumers.close();
    }
}
