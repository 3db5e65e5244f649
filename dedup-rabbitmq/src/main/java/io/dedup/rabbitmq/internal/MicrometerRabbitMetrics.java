package io.dedup.rabbitmq.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.EnumMap;
import java.util.Map;

/**
 * Meters under {@code dedup.rabbitmq.}: {@code deliveries{queue, action}}, {@code batch.size{queue}}, {@code
 * replies{queue, replayed}}. Only loaded when a registry is configured, so Micrometer stays optional.
 *
 * <p>Thread-safe: Micrometer's meters are; the map of counters is only read after construction.
 */
final class MicrometerRabbitMetrics implements RabbitMetrics {
    private final Map<Action, Counter> deliveries = new EnumMap<>(Action.class);
    private final DistributionSummary batches;
    private final Counter replies;
    private final Counter replayed;

    /**
     * Registers every meter now, so that they exist (at zero) before the first delivery.
     *
     * @param registryObject a Micrometer {@code MeterRegistry}, typed {@code Object} so Micrometer stays optional
     * @throws ClassCastException if it is not one
     */
    MicrometerRabbitMetrics(Object registryObject, String queue) {
        MeterRegistry registry = (MeterRegistry) registryObject;
        Tags base = Tags.of("queue", queue);
        for (Action action : Action.values()) {
            deliveries.put(
                    action,
                    Counter.builder("dedup.rabbitmq.deliveries")
                            .description("Deliveries settled by the dedup RabbitMQ adapter, by action")
                            .tags(base.and("action", action.tag()))
                            .register(registry));
        }
        batches = DistributionSummary.builder("dedup.rabbitmq.batch.size")
                .description("Deliveries claimed per store round trip")
                .tags(base)
                .register(registry);
        replies = replies(registry, base, false);
        replayed = replies(registry, base, true);
    }

    private static Counter replies(MeterRegistry registry, Tags base, boolean replayed) {
        return Counter.builder("dedup.rabbitmq.replies")
                .description("RPC replies published")
                .tags(base.and("replayed", Boolean.toString(replayed)))
                .register(registry);
    }

    @Override
    public void delivery(Action action) {
        deliveries.get(action).increment();
    }

    @Override
    public void batch(int size) {
        batches.record(size);
    }

    @Override
    public void reply(boolean fromStore) {
        (fromStore ? replayed : replies).increment();
    }
}
