/**
 * The RabbitMQ adapter: {@link io.dedup.rabbitmq.RabbitDedup} wraps a {@code DeliverCallback} or a {@code
 * Consumer} so that each delivery is claimed in the processed-keys store before its handler runs and acked only
 * after the store recorded it. Duplicates are acked without running the handler, deliveries whose key is in
 * progress elsewhere come back later through a delay, failed handlers are retried across redeliveries and then
 * dead-lettered with the error in headers, and RPC replies are stored and replayed to duplicate requests.
 *
 * <p>This package holds what an application calls or implements: {@link io.dedup.rabbitmq.RabbitDedup} and its
 * {@link io.dedup.rabbitmq.RabbitDedupBuilder builder}, where keys come from ({@link io.dedup.rabbitmq.RabbitKeys}),
 * the headers dedup reads and writes ({@link io.dedup.rabbitmq.DedupHeaders}), the queues it can declare ({@link
 * io.dedup.rabbitmq.RetryTopology}), the {@link io.dedup.rabbitmq.RpcHandler} of an RPC server and the {@link
 * io.dedup.rabbitmq.AutoAckRefusedException} of a misconfigured consumer. How deliveries are claimed, acked, retried
 * and dead-lettered lives in {@code io.dedup.rabbitmq.internal}.
 *
 * <p>All parameters and return values are non-null unless documented otherwise.
 */
package io.dedup.rabbitmq;
