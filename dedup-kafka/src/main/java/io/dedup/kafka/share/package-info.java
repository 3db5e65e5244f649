/**
 * Exactly-once processing over Kafka share groups (KIP-932): {@link io.dedup.kafka.share.KafkaShareDedupRunner}
 * runs a {@code KafkaShareConsumer} in explicit acknowledgement mode and acknowledges each record only after the
 * store recorded what became of its key. See {@code docs/kafka-share.md} for what is and is not guaranteed.
 */
package io.dedup.kafka.share;
