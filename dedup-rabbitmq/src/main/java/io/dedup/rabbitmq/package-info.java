/**
 * The RabbitMQ adapter: {@link io.dedup.rabbitmq.RabbitDedup} wraps a {@code DeliverCallback} or a {@code
 * Consumer} so that each delivery is claimed in the processed-keys store before its handler runs and acked only
 * after the store recorded it. Duplicates are acked without running the handler, deliveries whose key is in
 * progress elsewhere come back later through a delay, failed handlers are retried across redeliveries and then
 * dead-lettered with the error in headers, and RPC replies are stored and replayed to duplicate requests.
 *
 * <p>All parameters and return values are non-null unless documented otherwise.
 */
package io.dedup.rabbitmq;
