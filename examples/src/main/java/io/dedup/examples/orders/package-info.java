/** Worked example: RabbitMQ order handling in the transactional mode of the PostgreSQL store. */
package io.dedup.examples.orders;
