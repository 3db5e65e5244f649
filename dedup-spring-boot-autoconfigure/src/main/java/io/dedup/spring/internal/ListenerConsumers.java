package io.dedup.spring.internal;

import io.dedup.DedupConsumer;
import io.dedup.DedupConsumerBuilder;
import io.dedup.KeyExtractor;
import io.dedup.spi.DedupStore;
import io.dedup.spring.autoconfigure.DedupProperties;
import io.dedup.spring.observation.DedupOutcomes;
import io.dedup.spring.transaction.ClaimScope;
import io.dedup.spring.transaction.TransactionalClaims;
import io.micrometer.observation.ObservationRegistry;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.ApplicationContext;
import org.springframework.util.ClassUtils;

/**
 * Builds the {@link DedupConsumer} of each deduplicated listener from the shared {@code dedup.*} settings, and closes
 * them all with the application context. The Kafka and RabbitMQ integrations differ only in where a message's key
 * is, its namespace fallback and how a message is named in logs; everything else (store, retention, lease, digests,
 * store-unavailable policy, meters, claim scope) is decided here once, so that the two cannot drift apart.
 *
 * <p>Thread-safe: listener containers may be set up from several threads (a container registered late is resolved
 * on its first message).
 */
public final class ListenerConsumers implements AutoCloseable {
    private static final String METER_REGISTRY = "io.micrometer.core.instrument.MeterRegistry";

    private final DedupProperties properties;
    private final DedupStore store;
    private final ApplicationContext context;
    private final Object meterRegistry;
    private final DedupOutcomes outcomes;
    private final List<DedupConsumer<?>> built = new CopyOnWriteArrayList<>();

    /**
     * @param observations the application's observation registry, if it has one; consulted only when
     *     {@code dedup.observation.enabled} is on
     * @throws NullPointerException if {@code properties}, {@code store} or {@code context} is null
     */
    public ListenerConsumers(
            DedupProperties properties,
            DedupStore store,
            ApplicationContext context,
            ObjectProvider<ObservationRegistry> observations) {
        this.properties = Objects.requireNonNull(properties, "properties");
        this.store = Objects.requireNonNull(store, "store");
        this.context = Objects.requireNonNull(context, "context");
        this.meterRegistry = meterRegistry(context);
        this.outcomes = properties.observation().enabled()
                ? new DedupOutcomes(observations.getIfAvailable(() -> ObservationRegistry.NOOP))
                : null;
    }

    /** The settings every listener reads. */
    public DedupProperties properties() {
        return properties;
    }

    /** Where each message's observation goes; {@code null} when {@code dedup.observation.enabled=false}. */
    public DedupOutcomes outcomes() {
        return outcomes;
    }

    /**
     * A new consumer for one listener (or one queue of it), closed with {@link #close()}.
     *
     * @param listenerTag the {@code listener} tag of its meters
     * @param describer how a message is named in log lines and dead-letter reasons
     * @throws IllegalArgumentException if a {@code dedup.*} setting is out of range, naming it
     */
    public <M> DedupConsumer<M> build(
            KeyExtractor<M> keys, String namespace, String listenerTag, Function<? super M, String> describer) {
        DedupConsumerBuilder<M> builder = DedupConsumer.<M>builder(keys)
                .store(store)
                .namespace(namespace)
                .settings(properties.settings())
                .messageDescriber(describer)
                .metricTag("listener", listenerTag);
        if (meterRegistry != null) {
            builder.meterRegistry(meterRegistry);
        }
        DedupConsumer<M> dedup = builder.build();
        built.add(dedup);
        return dedup;
    }

    /**
     * How a listener's keys are claimed: in the listener's JDBC transaction when {@code dedup.jdbc.transactional} is
     * on, else leased. Built per listener, and only when asked for, so that an application without spring-jdbc never
     * loads the transactional classes.
     *
     * @throws IllegalStateException in transactional mode, if the store is not the JDBC store or the DataSource or
     *     its transaction manager cannot be told apart
     */
    public ClaimScope claimScope() {
        return properties.jdbc().transactional() ? TransactionalClaims.jdbc(context, store) : ClaimScope.LEASED;
    }

    /** The first candidate with text in it, or {@code null}: the order of the candidates is the precedence. */
    public static String firstText(String... candidates) {
        for (String candidate : candidates) {
            if (candidate != null && !candidate.isBlank()) {
                return candidate;
            }
        }
        return null;
    }

    /** Closes every consumer built so far; the store itself is the context's and closed by it. */
    @Override
    public void close() {
        for (DedupConsumer<?> consumer : built) {
            consumer.close();
        }
        built.clear();
    }

    /**
     * The application's one MeterRegistry, or {@code null}. Looked up by name, because micrometer-core is optional:
     * naming the type in a signature would fail to load this class without it.
     */
    private static Object meterRegistry(ApplicationContext context) {
        ClassLoader loader = ListenerConsumers.class.getClassLoader();
        if (!ClassUtils.isPresent(METER_REGISTRY, loader)) {
            return null;
        }
        return context.getBeanProvider(ClassUtils.resolveClassName(METER_REGISTRY, loader))
                .getIfUnique();
    }
}
