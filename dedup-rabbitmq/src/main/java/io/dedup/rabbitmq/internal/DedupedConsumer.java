package io.dedup.rabbitmq.internal;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Consumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;

/**
 * A {@link Consumer} that hands deliveries to a {@link DeliveryPipeline}, which runs the application's consumer
 * under dedup; every other callback goes straight to the application's consumer. Serves one registration: once
 * cancelled, it settles what it was given and stops.
 *
 * <p>Thread-safe: it keeps no state of its own and only calls the pipeline's thread-safe entry points and the
 * application's consumer, on the client library's dispatch thread.
 */
public final class DedupedConsumer implements Consumer {
    private final Consumer delegate;
    private final DeliveryPipeline<Void> pipeline;

    /**
     * @param delegate the application's consumer, whose {@code handleDelivery} the pipeline calls
     * @param pipeline the pipeline built for {@code delegate}'s channel
     */
    public DedupedConsumer(Consumer delegate, DeliveryPipeline<Void> pipeline) {
        this.delegate = delegate;
        this.pipeline = pipeline;
    }

    /** Hands the delivery to the pipeline; the application's {@code handleDelivery} runs later on its worker. */
    @Override
    public void handleDelivery(String consumerTag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
        pipeline.offer(consumerTag, envelope, properties, body);
    }

    @Override
    public void handleConsumeOk(String consumerTag) {
        delegate.handleConsumeOk(consumerTag);
    }

    /** The consumer was cancelled: the pipeline settles what it holds, then stops. */
    @Override
    public void handleCancelOk(String consumerTag) {
        pipeline.finish();
        delegate.handleCancelOk(consumerTag);
    }

    @Override
    public void handleCancel(String consumerTag) throws IOException {
        pipeline.finish();
        delegate.handleCancel(consumerTag);
    }

    /** Passed on only: the pipeline hears of the channel's closing from its own shutdown listener. */
    @Override
    public void handleShutdownSignal(String consumerTag, ShutdownSignalException signal) {
        delegate.handleShutdownSignal(consumerTag, signal);
    }

    @Override
    public void handleRecoverOk(String consumerTag) {
        delegate.handleRecoverOk(consumerTag);
    }

    @Override
    public String toString() {
        return "dedup(" + delegate + ")";
    }
}
