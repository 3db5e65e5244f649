/**
 * The Kafka adapter. {@link io.dedup.kafka.KafkaDedupRunner} owns the poll loop (leased mode, Kafka-to-Kafka with
 * a transactional producer, or Kafka-to-database in one store transaction); {@link io.dedup.kafka.KafkaDedup}
 * wraps record and batch handlers and processes a poll for applications that keep their own loop, answering which
 * offsets are safe to commit; {@link io.dedup.kafka.RecordKeys} says where a record's idempotency key lives; dead
 * letters carry the {@link io.dedup.kafka.DeadLetterHeaders}.
 *
 * <p>All parameters and return values are non-null unless documented otherwise.
 */
package io.dedup.kafka;
