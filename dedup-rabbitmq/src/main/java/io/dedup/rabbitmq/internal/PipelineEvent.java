package io.dedup.rabbitmq.internal;

/**
 * What reaches a pipeline's worker through its inbox. The client library's dispatch thread and the connection's
 * thread only enqueue these; all state they concern is changed by the worker alone, in arrival order.
 */
sealed interface PipelineEvent {
    /** A delivery arrived, stamped with the channel generation it came on. */
    record Received(PendingDelivery delivery) implements PipelineEvent {}

    /** The channel closed: what came on it can no longer be acked, and the delivery tags count on. */
    record ChannelReplaced() implements PipelineEvent {}

    /** Settle what is left, then stop: the consumer was cancelled or the channel is gone for good. */
    record Finish() implements PipelineEvent {}
}
