package io.dedup.bench.e2e;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.dedup.rabbitmq.RabbitDedup;
import java.nio.charset.StandardCharsets;

/**
 * This library's RabbitMQ adapter ({@link RabbitDedup}) in front of the handler, as its quick start sets it up: key
 * from the message-id (the adapter's default), manual acks, {@link RabbitBaselineArm#PREFETCH} deliveries of
 * prefetch, the adapter's defaults otherwise (claims and completions batched over the prefetch window). The store
 * is seen through a {@link TimedDedupStore}, the outermost wrapper.
 *
 * <p>Its reference is {@link RabbitBaselineArm}: the same queue contents, prefetch and empty-bodied work, acking each
 * delivery; the gap between the two is what the adapter and its store cost per delivery. Not thread-safe; one run
 * at a time.
 */
public final class RabbitDedupArm extends DedupStoreArm {
    /** An arm named {@code name} on the store {@code setup} makes. */
    private RabbitDedupArm(String name, DedupStoreSetup setup) {
        super(name, setup, RABBITMQ);
    }

    /** {@code dedup-memory-rabbit}: the in-memory store. */
    public static RabbitDedupArm memory() {
        return new RabbitDedupArm("dedup-memory-rabbit", DedupStoreSetup.memory());
    }

    /** {@code dedup-redis-rabbit}: the Redis store. */
    public static RabbitDedupArm redis() {
        return new RabbitDedupArm("dedup-redis-rabbit", DedupStoreSetup.redis());
    }

    /**
     * Builds the adapter as the quick start does and consumes until every delivery is done; closing the adapter settles
     * what it holds, closing the channel cancels the consumer.
     */
    @Override
    public void consume(ArmRun run) throws Exception {
        TimedDedupStore timed = timedStore();
        BenchHandler handler = run.handler();
        try (InBatchRepeats repeats = new InBatchRepeats(timed, run.progress());
                Connection connection = run.services().rabbitConnection("bench-" + run.runId());
                Channel channel = connection.createChannel();
                RabbitDedup dedup = RabbitDedup.builder(run.topic())
                        .store(timed)
                        .namespace(run.runId())
                        .meterRegistry(repeats.registry())
                        .build()) {
            // the same window as the baseline: the adapter batches its claims over what the broker sends ahead
            channel.basicQos(RabbitBaselineArm.PREFETCH);
            dedup.consume(
                    channel,
                    (consumerTag, delivery) -> handler.handle(
                            delivery.getProperties().getMessageId(),
                            new String(delivery.getBody(), StandardCharsets.UTF_8)));
            run.progress().awaitAll(run.timeout());
        }
    }
}
