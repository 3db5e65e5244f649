package io.dedup.rabbitmq;

import com.rabbitmq.client.Delivery;
import io.dedup.DedupSettings;
import io.dedup.KeyExtractor;
import io.dedup.rabbitmq.internal.Destinations;
import io.dedup.rabbitmq.internal.QueueSettings;
import io.dedup.rabbitmq.internal.RabbitMetrics;
import io.dedup.spi.Checks;
import io.dedup.spi.DedupStore;
import io.dedup.spi.SettingsReader;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;

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
    /** Default first pause while the store is unavailable. */
    public static final Duration DEFAULT_STORE_BACKOFF_MIN = Duration.ofMillis(100);
    /** Default longest pause while the store stays unavailable. */
    public static final Duration DEFAULT_STORE_BACKOFF_MAX = Duration.ofSeconds(5);
    /** Prefix of the properties read by {@link #configure(Map)}, followed by the queue name and a dot. */
    public static final String PROPERTY_PREFIX = "dedup.rabbitmq.";

    private final String queue;
    private final DedupConsumerOptions core = new DedupConsumerOptions();
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
        core.add(b -> b.store(Objects.requireNonNull(store, "store")));
        return this;
    }

    /** Where the key lives ({@link RabbitKeys}). Default: the {@code message-id} property. */
    public RabbitDedupBuilder keys(KeyExtractor<Delivery> keys) {
        core.keys(keys);
        return this;
    }

    /** What keys are unique within. Default: the queue's name. */
    public RabbitDedupBuilder namespace(String namespace) {
        core.namespace(namespace);
        return this;
    }

    /**
     * The settings this queue's consumer shares with every dedup front end: lease and its renewal, retention, the
     * failure policy (what happens to a key whose delivery was dead-lettered after its handler failed), the
     * store-unavailable policy ({@code FAIL_CLOSED}: pause and ack nothing while the store is down) and key digests.
     * Default {@link DedupSettings#ofDefaults()}. Replaces what {@link #configure(Map)} read before; properties read
     * after it change single values of these settings.
     *
     * @throws NullPointerException if {@code settings} is null
     */
    public RabbitDedupBuilder settings(DedupSettings settings) {
        core.settings(settings);
        return this;
    }

    /** Detect a key reused for a different body: such a delivery is dead-lettered as a conflict. Off by default. */
    public RabbitDedupBuilder fingerprintBody() {
        core.add(b -> b.fingerprint(Delivery::getBody));
        return this;
    }

    /** In-process retries of a failing handler under the same claim, before it counts as one failed attempt. */
    public RabbitDedupBuilder handlerAttempts(int attempts, Duration backoff) {
        core.add(b -> b.handlerAttempts(attempts, backoff));
        return this;
    }

    /** Publish core's and the adapter's meters, tagged {@code queue}, to this Micrometer {@code MeterRegistry}. */
    public RabbitDedupBuilder meterRegistry(Object meterRegistry) {
        core.add(b -> b.meterRegistry(meterRegistry));
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
        this.maxAttempts = Checks.atLeast(maxAttempts, 1, "maxAttempts");
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
        this.batchSize = Checks.atLeast(batchSize, 1, "batchSize");
        this.batchWait = Checks.notNegative(batchWait, "batchWait");
        return this;
    }

    /** The first and the longest pause while the store is unavailable. Defaults 100 ms and 5 s. */
    public RabbitDedupBuilder storeBackoff(Duration min, Duration max) {
        Checks.positive(min, "min");
        this.storeBackoffMax = Checks.notShorter(Checks.positive(max, "max"), "max", min, "min");
        this.storeBackoffMin = min;
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
        RabbitDedupProperties.apply(this, queue, properties);
        return this;
    }

    /**
     * The properties {@link #configure(Map)} reads, each after {@code dedup.rabbitmq.<queue>.} ({@code <queue>}
     * standing for the queue's name).
     */
    public static Set<String> propertyNames() {
        return RabbitDedupProperties.names();
    }

    /** {@link #configure(Map)} from {@link Properties}, such as the JVM's system properties. */
    public RabbitDedupBuilder configure(Properties properties) {
        Objects.requireNonNull(properties, "properties");
        return configure(RabbitDedupProperties.asMap(properties));
    }

    /**
     * @throws io.dedup.DedupConfigurationException if no store was set and the store modules on the classpath are
     *     ambiguous
     * @throws IllegalArgumentException if the lease is longer than the retention
     */
    public RabbitDedup build() {
        Destinations to =
                Destinations.resolve(queue, declareTopology, retryQueue, deadLetterExchange, deadLetterRoutingKey);
        QueueSettings settings = new QueueSettings(
                queue,
                to.retryQueue(),
                to.deadLetterExchange(),
                to.deadLetterRoutingKey(),
                to.topology(),
                maxAttempts,
                redeliveryDelay,
                batchSize,
                batchWait,
                storeBackoffMin,
                storeBackoffMax,
                confirmTimeout,
                RabbitMetrics.of(meterRegistry, queue));
        return new RabbitDedup(settings, core.build(queue));
    }

    /** The {@code declare-topology} property: unlike {@link #declareTopology()}, it can also say false. */
    void declareTopology(boolean declare) {
        this.declareTopology = declare;
    }

    int batchSize() {
        return batchSize;
    }

    Duration batchWait() {
        return batchWait;
    }

    /** Core's {@link DedupSettings} keys under {@code prefix}, into the settings this builder holds. */
    void readCoreSettings(SettingsReader reader, String prefix) {
        core.settings().read(reader, prefix);
    }
}
