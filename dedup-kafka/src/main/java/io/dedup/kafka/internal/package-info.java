/**
 * How the Kafka adapter works; not for applications. Nothing here is API: names and signatures change without notice.
 * The types are public only where {@code io.dedup.kafka} or the share runner's machinery must reach them.
 *
 * <p>The parts, by idea:
 *
 * <ul>
 *   <li>one {@code KafkaDedup}'s shared parts: {@link io.dedup.kafka.internal.KafkaDedupContext} (settings, record
 *       memory, metrics, one dedup consumer per topic), handed to every part through its constructor;
 *   <li>one poll through the leased mode: {@link io.dedup.kafka.internal.LeasedBatch}, which classifies results
 *       ({@code LeasedResults}) and publishes dead letters in partition order ({@code LeasedDeadLetters});
 *   <li>one poll through a transaction: {@link io.dedup.kafka.internal.KafkaTransactionMode} and {@link
 *       io.dedup.kafka.internal.StoreTransactionMode} over {@code TransactionalBatch} and its rounds;
 *   <li>the classic runner's loop: {@link io.dedup.kafka.internal.PollLoop}, the handler thread, the fetch-ahead
 *       buffer, partition pauses and rewinds, offset commits and the rebalance listener;
 *   <li>what both runners share: raw-record decoding, the dead-letter record format, client configurations and
 *       Micrometer counters.
 * </ul>
 *
 * <p>The guarantee every part keeps: a record's offset is committed (or its share-group delivery accepted) only
 * after the store recorded what became of its key, so a redelivery is answered from the store and a handler never
 * runs twice for a key that completed.
 *
 * <p>All parameters and return values are non-null unless documented otherwise.
 */
package io.dedup.kafka.internal;
