package io.dedup.bench.e2e;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.dedup.rabbitmq.RabbitDedup;
import io.dedup.spi.DedupStore;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * This library's RabbitMQ adapter ({@link RabbitDedup}) in front of the handler, as its quick start sets it up: key
 * from the message-id (the adapter's default), manual acks, {@link RabbitBaselineArm#PREFETCH} deliveries of
 * prefetch, the adapter's defaults otherwise (claims and completions batched over the prefetch window). The store
 * is seen through a {@link TimedDedupStore}, the outermost wrapper. Not thread-safe; one run at a time.
 */
public final class RabbitDedupArm implements Arm {
    private final String name;
    private final DedupStoreSetup setup;
    private DedupStore raw;
    private TimedDedupStore timed;

    private RabbitDedupArm(String name, DedupStoreSetup setup) {
        this.name = name;
        this.setup = setup;
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
    public String name() {
        return name;
    }

    @Override
    public StoreKind store() {
        return setup.store();
    }

    @Override
    public String broker() {
        return "rabbitmq";
    }

    @Override
    public void setUp(ArmRun run) {
        raw = setup.create(run);
        timed = new TimedDedupStore(raw, run);
    }

    @Override
    public void consume(ArmRun run) throws Exception {
        Objects.requireNonNull(timed, "setUp did not run");
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

    @Override
    public void tearDown(ArmRun run) throws Exception {
        DedupStore store = raw;
        raw = null;
        timed = null;
        try {
            if (store != null) {
                store.close();
            }
        } finally {
            setup.cleanUp(run, store);
        }
    }
}
