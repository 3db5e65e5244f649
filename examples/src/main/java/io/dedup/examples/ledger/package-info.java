/**
 * Worked example: Kafka to PostgreSQL exactly once, with the consumed offsets in the database.
 *
 * <p>{@link io.dedup.examples.ledger.LedgerConsumer} posts payments to a ledger in the transactional mode: the
 * postings, the keys and the offsets commit in one database transaction, and on start the consumer seeks to the
 * offsets the database holds. {@link io.dedup.examples.ledger.KafkaToPostgresExample} proves it by throwing Kafka's
 * committed offsets away between two consumers: the ledger still ends with every payment exactly once.
 */
package io.dedup.examples.ledger;
