package io.dedup.kafka.internal;

import io.dedup.ClaimedBatch;
import io.dedup.DedupException;
import io.dedup.DedupResult;
import io.dedup.IdempotencyConflictException;
import io.dedup.KeyInProgressException;
import io.dedup.LeaseLostException;
import io.dedup.OutcomeCodecs;
import io.dedup.ResultHandler;
import io.dedup.kafka.BatchHandler;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * One call of a wrapped {@link BatchHandler}: per topic one claimed batch of core's, the batch handler once for every
 * record that may run, then the completions (or, when it failed, every key given back).
 *
 * <p>The batch handler runs inside the run of the first record that may run, so core's Error policy, metrics and
 * {@link io.dedup.Claim#current()} (that record's claim) apply; the other records run after it as finished.
 *
 * <p>Thread-safe: no state of its own besides the thread-safe per-topic consumers; each call claims its own batches.
 */
public final class BatchClaims {
    private final TopicConsumers consumers;

    /** Claims through the per-topic consumers of {@code context}. */
    public BatchClaims(KafkaDedupContext context) {
        this.consumers = context.consumers();
    }

    /**
     * Runs {@code handler} once over the records whose keys were acquired.
     *
     * @throws Exception the handler's exception unchanged, after every key was given back
     * @throws io.dedup.DedupException when a record could not be processed although the handler succeeded (its key
     *     in progress elsewhere, a conflict, an unreadable key, the store unavailable)
     */
    public <K, V> void run(List<ConsumerRecord<K, V>> records, BatchHandler<K, V> handler) throws Exception {
        Map<String, List<ConsumerRecord<?, ?>>> byTopic = new LinkedHashMap<>();
        for (ConsumerRecord<K, V> record : records) {
            byTopic.computeIfAbsent(record.topic(), t -> new ArrayList<>()).add(record);
        }
        List<ClaimedBatch<ConsumerRecord<?, ?>>> batches = new ArrayList<>(byTopic.size());
        try {
            List<ConsumerRecord<K, V>> mayRun = new ArrayList<>();
            for (Map.Entry<String, List<ConsumerRecord<?, ?>>> topic : byTopic.entrySet()) {
                ClaimedBatch<ConsumerRecord<?, ?>> batch =
                        consumers.consumerFor(topic.getKey()).claimAll(topic.getValue());
                batches.add(batch);
                for (ClaimedBatch.Entry<ConsumerRecord<?, ?>> entry : batch.entries()) {
                    if (entry.mayRun()) {
                        mayRun.add(typed(entry.message()));
                    }
                }
            }
            // Completions only after the batch handler returned: its effects are one unit, so either every acquired key
            // completes or (it threw) every one is given back.
            runAll(batches, mayRun, handler);
            for (ClaimedBatch<ConsumerRecord<?, ?>> batch : batches) {
                batch.complete();
            }
        } finally {
            batches.forEach(ClaimedBatch::close); // gives back every key of a batch that failed
        }
        for (ClaimedBatch<ConsumerRecord<?, ?>> batch : batches) {
            for (DedupResult<?> result : batch.results()) {
                throwIfNotDone(result);
            }
        }
    }

    /**
     * Runs the batch handler in the first runnable entry's run, then lets the others finish after it. The batch
     * handler runs once for all records, but core settles keys one entry at a time: running it inside the first
     * entry's run gives it that entry's claim and core's handling of its failure, and the other entries then finish
     * as done, or are given back with the batch when it failed.
     */
    private <K, V> void runAll(
            List<ClaimedBatch<ConsumerRecord<?, ?>>> batches,
            List<ConsumerRecord<K, V>> mayRun,
            BatchHandler<K, V> handler)
            throws Exception {
        if (mayRun.isEmpty()) {
            return;
        }
        List<ConsumerRecord<K, V>> handed = List.copyOf(mayRun);
        boolean first = true;
        for (ClaimedBatch<ConsumerRecord<?, ?>> batch : batches) {
            for (ClaimedBatch.Entry<ConsumerRecord<?, ?>> entry : batch.entries()) {
                if (!entry.mayRun()) {
                    continue;
                }
                ResultHandler<ConsumerRecord<?, ?>, Void> step = first
                        ? record -> {
                            handler.handle(handed);
                            return null;
                        }
                        : record -> null;
                first = false;
                DedupResult<Void> result = batch.run(entry, step, OutcomeCodecs.none(), false);
                if (result instanceof DedupResult.Failed<?> failed) {
                    throw failed.error(); // the others are given back when their batches close
                }
                if (result instanceof DedupResult.Fenced<?> fenced) {
                    throw new LeaseLostException(
                            fenced.claim().key(), fenced.claim().token());
                }
            }
        }
    }

    /**
     * Throws what keeps a record from being done, so that the caller does not commit past it; returns for a
     * processed record or a duplicate.
     */
    private static void throwIfNotDone(DedupResult<?> result) {
        if (result instanceof DedupResult.InProgress<?> inProgress) {
            throw new KeyInProgressException(inProgress.key(), inProgress.leaseUntil());
        }
        if (result instanceof DedupResult.Conflict<?> conflict) {
            throw new IdempotencyConflictException(conflict.key());
        }
        if (result instanceof DedupResult.Rejected<?> rejected) {
            throw rejected.reason();
        }
        if (result instanceof DedupResult.Unavailable<?> unavailable) {
            throw unavailable.cause();
        }
        if (result instanceof DedupResult.Fenced<?> fenced) {
            throw new LeaseLostException(fenced.claim().key(), fenced.claim().token());
        }
        if (result instanceof DedupResult.Released<?> released) {
            throw new DedupException("a record was not processed; its key was given back: "
                    + released.claim().key());
        }
    }

    @SuppressWarnings("unchecked")
    private static <K, V> ConsumerRecord<K, V> typed(ConsumerRecord<?, ?> record) {
        return (ConsumerRecord<K, V>) record;
    }
}
