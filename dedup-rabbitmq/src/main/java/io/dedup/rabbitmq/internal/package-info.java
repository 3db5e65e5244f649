/**
 * How {@link io.dedup.rabbitmq.RabbitDedup} works; not API, and free to change between releases. Some types are
 * public only because the API package builds them.
 *
 * <p>The path of one delivery: the client library's dispatch thread hands it to a {@link
 * io.dedup.rabbitmq.internal.DeliveryPipeline} (one per wrapped consumer, with a worker thread of its own), which
 * collects the prefetch window, has {@link io.dedup.rabbitmq.internal.BatchJudge} claim it in one store round trip
 * through core's batch API and run the acquired handlers, and turns each result into a {@link
 * io.dedup.rabbitmq.internal.Verdict}. {@link io.dedup.rabbitmq.internal.BatchSettler} then carries the verdicts
 * out on the broker.
 *
 * <p>The ordering that makes the guarantee hold: a delivery is acked only after core recorded its key as completed,
 * and only after any copy it needs (retry copy, dead letter, RPC reply) was confirmed by the broker ({@link
 * io.dedup.rabbitmq.internal.ConfirmPublisher}). A crash in between leaves the delivery unacked; the broker
 * redelivers it, and the store answers the redelivery as a duplicate. Nothing is acked while the store is down.
 *
 * <p>All state of a pipeline is owned by its worker thread; other threads only enqueue {@link
 * io.dedup.rabbitmq.internal.PipelineEvent events}. Nothing here writes to the store: claims, completions, releases
 * and lease renewal all go through core's {@code DedupConsumer}.
 */
package io.dedup.rabbitmq.internal;
