/**
 * Worked example: RabbitMQ order handling in the transactional mode of the PostgreSQL store.
 *
 * <p>{@link io.dedup.examples.orders.OrdersConsumer} places each order and takes its units from stock in the same
 * transaction as the order's key, then acks; a republished order is answered from the store without touching the
 * stock, and an order that cannot be filled goes to the dead-letter queue after its retries. The stock left at the
 * end is the proof: it drops by exactly the units of the distinct orders.
 */
package io.dedup.examples.orders;
