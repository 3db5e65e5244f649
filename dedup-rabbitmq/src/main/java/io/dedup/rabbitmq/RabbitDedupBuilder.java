package io.dedup.rabbitmq;

import com.rabbitmq.client.Delivery;
import io.dedup.DedupConsumer;
import io.dedup.DedupSettings;
import io.dedup.FailurePolicy;
import io.dedup.KeyExtractor;
import io.dedup.StoreUnavailablePolicy;
import io.dedup.rabbitmq.internal.MicrometerRabbitMetrics;
import io.dedup.rabbitmq.internal.PendingDelivery;
import io.dedup.rabbitmq.internal.QueueSettings;
import io.dedup.rabbitmq.internal.RabbitMetrics;
import io.dedup.spi.Checks;
import io.dedup.spi.DedupStore;
import io.dedup.spi.SettingsReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Configures a {@link RabbitDedup} for one queue, in code or from properties ({@link #configure(Map)}). Each
 * setter checks its argument and names it when it fails. Not thread-safe; what it builds is.
 */
public final class RabbitDedupBuilder {
    /** Default handler runs per key before a failed delivery is dead-lettered. */
    public static final int DEFAULT_MAX_ATTEMPTS = 3;
    /** Default wait before a deferred or retried delivery comes back. */
    public static final Duration DEFAULT_REDELIVERY_DELAY = Duration.ofSeconds(1);
    /** Default largest batch claimed in one store round trip. */
    public static final int DEFAULT_BATCH_SIZE = 250;
    /** Default longest wait for the rest of the prefetch window. */
    public static final Duration DEFAULT_BATCH_WAIT = Duration.ofMillis(2);
    /** Default first and longest pause while the store is unavailable. */
    public static final Duration DEFAULT_STORE_BACKOFF_MIN = Duration.ofMillis(100);

    public static final Duration DEFAULT_STORE_BACKOFF_MAX = Duration.ofSeconds(5);
    /** Prefix of the properties read by {@link #configure(Map)}, followed by the queue name and a dot. */
    public static final String PROPERTY_PREFIX = "dedup.rabbitmq.";
    /** The properties of one queue, after {@code dedup.rabbitmq.<queue>.}. */
    private static final List<String> QUEUE_PROPERTIES = queueProperties();

    private final String queue;
    /** Settings for core's builder, each checked when set and applied in order at build. */
    private final List<Consumer<DedupConsumer.Builder<Delivery>>> core = new ArrayList<>();

    private DedupSettings.Builder settings = DedupSettings.custom();
    private KeyExtractor<Delivery> keys = RabbitKeys.messageId();
    private String namespace;
    private boolean declareTopology;
    private String retryQueue;
    private String deadLetterExchange;
    private String deadLetterRoutingKey;
    private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
    private Duration redeliveryDelay = DEFAULT_REDELIVERY_DELAY;
    private int batchSize = DEFAULT_BATCH_SIZE;
    private Duration batchWait = DEFAULT_BATCH_WAIT;
    private Duration storeBackoffMin = DEFAULT_STORE_BACKOFF_MIN;
    private Duration storeBackoffMax = DEFAULT_STORE_BACKOFF_MAX;
    private Duration confirmTimeout = Duration.ofSeconds(10);
    private Object meterRegistry;

    RabbitDedupBuilder(String queue) {
        Objects.requireNonNull(queue, "queue");
        if (queue.isEmpty()) {
            throw new IllegalArgumentException("queue must not be empty (a server-named queue: pass its name)");
        }
        this.queue = queue;
    }

    /** The processed-keys store. Default: the store module on the classpath, else in-memory. */
    public RabbitDedupBuilder store(DedupStore store) {
        core(b -> b.store(Objects.requireNonNull(store, "store")));
        return this;
    }

    /** Where the key lives ({@link RabbitKeys}). Default: the {@code message-id} property. */
    public RabbitDedupBuilder keys(KeyExtractor<Delivery> keys) {
        this.keys = Objects.requireNonNull(keys, "keys");
        return this;
    }

    /** What keys are unique within. Default: the queue's name. */
    public RabbitDedupBuilder namespace(String namespace) {
        core(b -> b.namespace(namespace));
        this.namespace = namespace;
        return this;
    }

    /**
     * Lease, retention, renewal, policies and key digests, all at once; the setters below change single values of
     * the same settings. Default {@link DedupSettings#ofDefaults()}.
     */
    public RabbitDedupBuilder settings(DedupSettings settings) {
        this.settings = DedupSettings.from(settings);
        return this;
    }

    /** How long completed keys are remembered. Default 24 h. */
    public RabbitDedupBuilder retention(Duration retention) {
        settings.retention(retention);
        return this;
    }

    /** How long a claim stays valid without renewal (renewed while the handler runs). Default 30 s. */
    public RabbitDedupBuilder lease(Duration lease) {
        settings.lease(lease);
        return this;
    }

    /** What happens to a key whose handler failed for the last time. Default {@link FailurePolicy#RELEASE}. */
    public RabbitDedupBuilder failurePolicy(FailurePolicy policy) {
        settings.failurePolicy(policy);
        return this;
    }

    /** Default {@link StoreUnavailablePolicy#FAIL_CLOSED}: pause and ack nothing while the store is down. */
    public RabbitDedupBuilder storeUnavailablePolicy(StoreUnavailablePolicy policy) {
        settings.storeUnavailablePolicy(policy);
        return this;
    }

    /** Detect a key reused for a different body: such a delivery is dead-lettered as a conflict. Off by default. */
    public RabbitDedupBuilder fingerprintBody() {
        core(b -> b.fingerprint(Delivery::getBody));
        return this;
    }

    /** Store every key as its SHA-256 digest. Default: only keys longer than 128 bytes. */
    public RabbitDedupBuilder digestAllKeys(boolean digestAllKeys) {
        settings.digestAllKeys(digestAllKeys);
        return this;
    }

    /** In-process retries of a failing handler under the same claim, before it counts as one failed attempt. */
    public RabbitDedupBuilder handlerAttempts(int attempts, Duration backoff) {
        core(b -> b.handlerAttempts(attempts, backoff));
        return this;
    }

    /** Publish core's and the adapter's meters, tagged {@code queue}, to this Micrometer {@code MeterRegistry}. */
    public RabbitDedupBuilder meterRegistry(Object meterRegistry) {
        core(b -> b.meterRegistry(meterRegistry));
        this.meterRegistry = meterRegistry;
        return this;
    }

    /**
     * Declare the {@link RetryTopology} ({@code <queue>.dedup.retry} and {@code <queue>.dedup.dlq}) at the first wrap
     * and use it, unless a retry queue or dead-letter exchange is set explicitly.
     */
    public RabbitDedupBuilder declareTopology() {
        this.declareTopology = true;
        return this;
    }

    /**
     * An existing queue that dead-letters back to the work queue (its {@code x-dead-letter-exchange} is {@code ""}
     * and {@code x-dead-letter-routing-key} the work queue). Deferred and retried deliveries are published there
     * with a per-message TTL of their delay. Without one they are held unacked (in the prefetch window) and requeued
     * after it.
     */
    public RabbitDedupBuilder retryQueue(String retryQueue) {
        this.retryQueue = Checks.nonEmpty(retryQueue, "retryQueue");
        return this;
    }

    /**
     * Where dead letters are published, with dedup's headers: typically the exchange named in the queue's {@code
     * x-dead-letter-exchange}. {@code routingKey} null keeps the message's original routing key. Without one,
     * dead letters are rejected ({@code requeue=false}) to the queue's own dead-letter exchange, if it has one, and
     * the reason is only logged.
     */
    public RabbitDedupBuilder deadLetterExchange(String exchange, String routingKey) {
        this.deadLetterExchange = Objects.requireNonNull(exchange, "exchange");
        this.deadLetterRoutingKey = routingKey;
        return this;
    }

    /** Handler runs per key (across redeliveries) before a failed delivery is dead-lettered. Default 3. */
    public RabbitDedupBuilder maxAttempts(int maxAttempts) {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
        }
        this.maxAttempts = maxAttempts;
        return this;
    }

    /**
     * How long a retried delivery (its handler failed) waits before it comes back, and how long a delivery whose key
     * is held elsewhere waits the first time. A held key's delivery then waits twice as long with each deferral,
     * but never past the end of the holder's lease: after a crash the dead consumer's keys are taken over about when
     * their leases end, without a redelivery every second until then. Default 1 s.
     */
    public RabbitDedupBuilder redeliveryDelay(Duration delay) {
        this.redeliveryDelay = Checks.positive(delay, "redeliveryDelay");
        return this;
    }

    /**
     * The most deliveries claimed in one store round trip (set it to at least the channel's prefetch count), and
     * the longest wait for the rest of the prefetch window before claiming. Defaults 250 and 2 ms.
     */
    public RabbitDedupBuilder batching(int batchSize, Duration batchWait) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be at least 1, got " + batchSize);
        }
        Objects.requireNonNull(batchWait, "batchWait");
        if (batchWait.isNegative()) {
            throw new IllegalArgumentException("batchWait must not be negative, got " + batchWait);
        }
        this.batchSize = batchSize;
        this.batchWait = batchWait;
        return this;
    }

    /** The first and the longest pause while the store is unavailable. Defaults 100 ms and 5 s. */
    public RabbitDedupBuilder storeBackoff(Duration min, Duration max) {
        Checks.positive(min, "min");
        Checks.positive(max, "max");
        if (max.compareTo(min) < 0) {
            throw new IllegalArgumentException("max (" + max + ") must not be shorter than min (" + min + ")");
        }
        this.storeBackoffMin = min;
        this.storeBackoffMax = max;
        return this;
    }

    /** How long to wait for the broker to confirm a retry copy, dead letter or reply. Default 10 s. */
    public RabbitDedupBuilder confirmTimeout(Duration timeout) {
        this.confirmTimeout = Checks.positive(timeout, "confirmTimeout");
        return this;
    }

    /**
     * Applies the properties {@code dedup.rabbitmq.<queue>.*} of this builder's queue found in {@code properties},
     * read with core's grammar (durations {@code 250ms}, {@code 2s}, {@code 5m}, {@code 1h} or ISO-8601; booleans
     * {@code true} or {@code false}): {@code key} (see {@link RabbitKeys#parse}), {@code namespace}, {@code
     * max-attempts}, {@code redelivery-delay}, {@code declare-topology}, {@code retry-queue}, {@code
     * dead-letter-exchange}, {@code dead-letter-routing-key}, {@code batch-size}, {@code batch-wait}, and core's
     * {@link DedupSettings} keys ({@code lease}, {@code retention}, {@code lease-renewal-fraction}, {@code
     * failure-policy}, {@code store-unavailable}, {@code digest-all-keys}). Other queues' properties are ignored.
     *
     * @throws IllegalArgumentException naming the property when a value is invalid, or an unknown property of this
     *     queue and the nearest known one
     */
    public RabbitDedupBuilder configure(Map<String, String> properties) {
        Objects.requireNonNull(properties, "properties");
        String prefix = PROPERTY_PREFIX + queue + ".";
        SettingsReader reader = SettingsReader.of(properties);
        List<String> known = new ArrayList<>();
        QUEUE_PROPERTIES.forEach(name -> known.add(prefix + name));
        // a dot after the prefix may be another queue's name ("orders.eu" beside "orders"): those are not ours
        reader.rejectUnknown(prefix, known, name -> name.indexOf('.', prefix.length()) >= 0);
        Function<String, String> get = name -> reader.text(prefix + name).orElse(null);
        apply(prefix, get, "key", value -> keys(RabbitKeys.parse(value)));
        apply(prefix, get, "namespace", this::namespace);
        apply(
                prefix,
                get,
                "max-attempts",
                value -> maxAttempts(SettingsReader.parseInteger(prefix + "max-attempts", value)));
        apply(
                prefix,
                get,
                "redelivery-delay",
                value -> redeliveryDelay(SettingsReader.parseDuration(prefix + "redelivery-delay", value)));
        apply(
                prefix,
                get,
                "declare-topology",
                value -> declareTopology = SettingsReader.parseFlag(prefix + "declare-topology", value));
        apply(prefix, get, "retry-queue", this::retryQueue);
        apply(
                prefix,
                get,
                "dead-letter-exchange",
                value -> deadLetterExchange(value, get.apply("dead-letter-routing-key")));
        apply(
                prefix,
                get,
                "batch-size",
                value -> batching(SettingsReader.parseInteger(prefix + "batch-size", value), batchWait));
        apply(
                prefix,
                get,
                "batch-wait",
                value -> batching(batchSize, SettingsReader.parseDuration(prefix + "batch-wait", value)));
        settings.read(reader, prefix);
        return this;
    }

    /**
     * The properties {@link #configure(Map)} reads, each after {@code dedup.rabbitmq.<queue>.} ({@code <queue>}
     * standing for the queue's name).
     */
    public static Set<String> propertyNames() {
        Set<String> names = new TreeSet<>();
        QUEUE_PROPERTIES.forEach(name -> names.add(PROPERTY_PREFIX + "<queue>." + name));
        return names;
    }

    /** {@link #configure(Map)} from {@link Properties}, such as the JVM's system properties. */
    public RabbitDedupBuilder configure(Properties properties) {
        Objects.requireNonNull(properties, "properties");
        Map<String, String> map = new HashMap<>();
        for (String name : properties.stringPropertyNames()) {
            map.put(name, properties.getProperty(name));
        }
        return configure(map);
    }

    /**
     * @throws io.dedup.DedupConfigurationException if no store was set and the store modules on the classpath are
     *     ambiguous
     * @throws IllegalArgumentException if the lease is longer than the retention
     */
    public RabbitDedup build() {
        DedupConsumer.Builder<Delivery> dedup = DedupConsumer.builder(keys).settings(settings.build());
        if (namespace == null) {
            dedup.namespace(queue);
        }
        core.forEach(setting -> setting.accept(dedup));
        dedup.metricTag("queue", queue);
        dedup.messageDescriber(delivery ->
                delivery instanceof PendingDelivery pending ? pending.describe(queue) : "a delivery of queue " + queue);
        RetryTopology topology = declareTopology ? RetryTopology.of(queue) : null;
        String retry = retryQueue != null ? retryQueue : topology != null ? topology.retryQueue() : null;
        String dlx = deadLetterExchange != null ? deadLetterExchange : topology != null ? "" : null;
        String dlRoutingKey = deadLetterExchange != null
                ? deadLetterRoutingKey
                : topology != null ? topology.deadLetterQueue() : null;
        RabbitMetrics metrics =
                meterRegistry == null ? RabbitMetrics.NOOP : new MicrometerRabbitMetrics(meterRegistry, queue);
        QueueSettings settings = new QueueSettings(
                queue,
                retry,
                dlx,
                dlRoutingKey,
                topology,
                maxAttempts,
                redeliveryDelay,
                batchSize,
                batchWait,
                storeBackoffMin,
                storeBackoffMax,
                confirmTimeout,
                metrics);
        return new RabbitDedup(settings, dedup.build());
    }

    private RabbitDedupBuilder core(Consumer<DedupConsumer.Builder<Delivery>> setting) {
        setting.accept(DedupConsumer.builder(keys)); // checks the argument now, naming it
        core.add(setting);
        return this;
    }

    private static void apply(String prefix, Function<String, String> get, String name, Consumer<String> setter) {
        String value = get.apply(name);
        if (value == null) {
            return;
        }
        try {
            setter.accept(value);
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith(prefix + name)) {
                throw e; // the reader named it already
            }
            throw new IllegalArgumentException("invalid setting " + prefix + name + ": " + e.getMessage(), e);
        }
    }

    private static List<String> queueProperties() {
        List<String> names = new ArrayList<>(List.of(
                "key",
                "namespace",
                "max-attempts",
                "redelivery-delay",
                "declare-topology",
                "retry-queue",
                "dead-letter-exchange",
                "dead-letter-routing-key",
                "batch-size",
                "batch-wait"));
        names.addAll(DedupSettings.KEYS);
        return List.copyOf(names);
    }
}
