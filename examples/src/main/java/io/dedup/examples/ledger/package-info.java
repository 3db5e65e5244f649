/** Worked example: Kafka to PostgreSQL exactly once, with the consumed offsets in the database. */
package io.dedup.examples.ledger;
