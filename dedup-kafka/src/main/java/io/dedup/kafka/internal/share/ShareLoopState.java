package io.dedup.kafka.internal.share;

import java.util.function.BooleanSupplier;

/**
 * What the parts of one share loop share: the records it holds, its counters, how logs name it, and whether it is
 * stopping (records to be claimed again are then released instead). Immutable; the parts are the loop thread's.
 *
 * @param held the records acquired and not finally acknowledged
 * @param metrics the runner's {@code dedup.kafka.share.*} counters
 * @param namespace the runner's namespace, naming it in logs
 * @param stopping true once {@code close()} was called
 */
record ShareLoopState(HeldRecords held, ShareMetrics metrics, String namespace, BooleanSupplier stopping) {}
