package io.dedup.bench.e2e;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import java.nio.charset.StandardCharsets;

/**
 * The RabbitMQ reference: a plain manual-ack consumer running the handler for every delivery and acking it, no
 * dedup at all (duplicates run the handler again), with the same prefetch as the dedup arms.
 *
 * <p>It measures the broker, the client and the handler: the floor of every RabbitMQ arm. Acks go out one by one,
 * as the adapter's do, so the gap to a dedup arm is not an artefact of multiple-acking. Not thread-safe; one run at
 * a time.
 */
public final class RabbitBaselineArm extends StorelessArm {
    /** Unacked deliveries the broker may send ahead, for every RabbitMQ arm: as many as a Kafka poll holds. */
    static final int PREFETCH = ArmRun.MAX_POLL_RECORDS;

    /** The {@code baseline-rabbit} arm. */
    public RabbitBaselineArm() {
        super("baseline-rabbit", RABBITMQ);
    }

    /**
     * Consumes the queue with manual acks on one channel, handling and acking every delivery on the dispatch thread,
     * until every message is done; then cancels the consumer.
     */
    @Override
    public void consume(ArmRun run) throws Exception {
        Progress progress = run.progress();
        BenchHandler handler = run.handler();
        try (Connection connection = run.services().rabbitConnection("bench-" + run.runId());
                Channel channel = connection.createChannel()) {
            channel.basicQos(PREFETCH);
            String tag = channel.basicConsume(
                    run.topic(),
                    false,
                    (consumerTag, delivery) -> {
                        progress.started();
                        handler.handle(
                                delivery.getProperties().getMessageId(),
                                new String(delivery.getBody(), StandardCharsets.UTF_8));
                        channel.basicAck(delivery.getEnvelope().getDeliveryTag(), false);
                        progress.delivered();
                    },
                    consumerTag -> {});
            try {
                run.progress().awaitAll(run.timeout());
            } finally {
                channel.basicCancel(tag);
            }
        }
    }
}
