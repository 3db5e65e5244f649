package io.dedup.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Micrometer meters under {@code dedup.}: {@code dedup.messages{result}}, {@code dedup.store.calls{operation,
 * outcome}}, {@code dedup.handler{outcome}}, {@code dedup.lease.renewals}, {@code dedup.fenced{operation}}, {@code
 * dedup.steps{result}}; every
 * meter also carries {@code namespace} and the configured extra tags. Meters are registered once, up front, so the
 * hot path only increments. Only loaded when a registry is configured, so micrometer stays optional.
 *
 * <p>Thread-safe: the maps are filled in the constructor and only read after; Micrometer's meters are thread-safe.
 */
final class MicrometerMetrics implements DedupMetrics {
    private final Map<Result, Counter> results = new EnumMap<>(Result.class);
    private final Map<StoreOperation, Timer> storeOk = new EnumMap<>(StoreOperation.class);
    private final Map<StoreOperation, Timer> storeFailed = new EnumMap<>(StoreOperation.class);
    private final Map<StoreOperation, Counter> fenced = new EnumMap<>(StoreOperation.class);
    private final Map<StepResult, Counter> steps = new EnumMap<>(StepResult.class);
    private final Timer handlerOk;
    private final Timer handlerFailed;
    private final Counter renewals;
    private final Counter completionsDropped;
    private final Counter keysHeld;

    /**
     * Registers every meter in {@code registryObject}, a {@code MeterRegistry} typed as Object so that the callers'
     * classes load without Micrometer (checked by {@link EngineOptions#meterRegistry}).
     */
    MicrometerMetrics(Object registryObject, String namespace, Map<String, String> extraTags) {
        MeterRegistry registry = (MeterRegistry) registryObject;
        Tags base = Tags.of("namespace", namespace);
        for (Map.Entry<String, String> tag : extraTags.entrySet()) {
            base = base.and(Tag.of(tag.getKey(), tag.getValue()));
        }
        for (Result result : Result.values()) {
            results.put(
                    result,
                    Counter.builder("dedup.messages")
                            .description("Messages seen by dedup, by what happened to them")
                            .tags(base.and("result", result.tag()))
                            .register(registry));
        }
        for (StoreOperation op : StoreOperation.values()) {
            storeOk.put(op, storeTimer(registry, base, op, "success"));
            storeFailed.put(op, storeTimer(registry, base, op, "failure"));
            fenced.put(
                    op,
                    Counter.builder("dedup.fenced")
                            .description("Writes refused because the caller's fencing token was stale")
                            .tags(base.and("operation", op.tag()))
                            .register(registry));
        }
        for (StepResult result : StepResult.values()) {
            steps.put(
                    result,
                    Counter.builder("dedup.steps")
                            .description("Checkpointed steps inside handlers, by what became of them")
                            .tags(base.and("result", result.tag()))
                            .register(registry));
        }
        handlerOk = Timer.builder("dedup.handler")
                .description("Handler executions under a claim")
                .tags(base.and("outcome", "success"))
                .register(registry);
        handlerFailed = Timer.builder("dedup.handler")
                .description("Handler executions under a claim")
                .tags(base.and("outcome", "failure"))
                .register(registry);
        renewals = Counter.builder("dedup.lease.renewals")
                .description("Leases renewed while a long handler ran")
                .tags(base)
                .register(registry);
        completionsDropped = Counter.builder("dedup.completions.dropped")
                .description("Completions kept while the store was down, given up when their lease could not be"
                        + " renewed (the key is retried after its lease)")
                .tags(base)
                .register(registry);
        keysHeld = Counter.builder("dedup.keys.held")
                .description("Keys found held by another consumer's claim, once per key and holder")
                .tags(base)
                .register(registry);
    }

    private static Timer storeTimer(MeterRegistry registry, Tags base, StoreOperation op, String outcome) {
        return Timer.builder("dedup.store.calls")
                .description("Round trips to the processed-keys store")
                .tags(base.and("operation", op.tag(), "outcome", outcome))
                .register(registry);
    }

    /** Always: with a registry, every handler and store call is timed. */
    @Override
    public boolean timed() {
        return true;
    }

    @Override
    public void result(Result result) {
        results.get(result).increment();
    }

    @Override
    public void storeCall(StoreOperation operation, long nanos, boolean failed) {
        (failed ? storeFailed : storeOk).get(operation).record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void handler(long nanos, boolean failed) {
        (failed ? handlerFailed : handlerOk).record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void leaseRenewed() {
        renewals.increment();
    }

    @Override
    public void fenced(StoreOperation operation) {
        fenced.get(operation).increment();
    }

    @Override
    public void completionDropped() {
        completionsDropped.increment();
    }

    @Override
    public void keyHeld() {
        keysHeld.increment();
    }

    @Override
    public void step(StepResult result) {
        steps.get(result).increment();
    }
}
