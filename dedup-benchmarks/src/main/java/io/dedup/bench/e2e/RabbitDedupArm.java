package io.dedup.bench.e2e;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.dedup.rabbitmq.RabbitDedup;
import java.nio.charset.StandardCharsets;

/**
 * This library's RabbitMQ adapter ({@link RabbitDedup}) in front of the handler, as its quick start sets it up: key
 * from the message-id (the adapter's default), manual acks, {@link RabbitBaselineArm#PREFETCH} deliveries of
 * prefetch, the adapter's defaults otherwise (claims and completions batched over the prefetch window). The store
 * is seen through a {@link TimedDedupStore}, the outermost wrapper. Not thread-safe; one run at a time.
 */
public final class RabbitDedupArm extends DedupStoreArm {
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
