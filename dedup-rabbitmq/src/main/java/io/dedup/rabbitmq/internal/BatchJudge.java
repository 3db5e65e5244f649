package io.dedup.rabbitmq.internal;

import com.rabbitmq.client.Delivery;
import io.dedup.ClaimedBatch;
import io.dedup.DedupConsumer;
import io.dedup.DedupResult;
import io.dedup.OutcomeCodec;
import io.dedup.ResultHandler;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a batch of deliveries through core's batch API (one claim round trip, the acquired handlers in delivery order,
 * one completion round trip) and turns each result into a {@link Verdict}. Core renews the leases of the whole batch
 * while it runs, records what finished and releases what never started when the batch closes.
 *
 * <p>A handler that throws an {@link Error} ({@code AssertionError}, {@code StackOverflowError}) ends the batch
 * there: the Error is logged once, the handlers that finished before it keep their completions, the deliveries not
 * started yet are {@link DedupResult.Released released} (to run again at once, not counted as failed), and the
 * delivery whose handler threw takes the failure path, retry or dead letter, with the Error recorded. The worker
 * thread lives on.
 *
 * <p>Not thread-safe: owned by one pipeline's worker thread.
 *
 * @param settings the queue's settings: its name and metrics
 * @param dedup the dedup consumer the batches are claimed through
 * @param handler the application's handler
 * @param codec stores the handler's result, replayed to a duplicate
 * @param rpc whether the queue answers requests: a result then becomes a reply
 */
record BatchJudge<R>(
        QueueSettings settings,
        DedupConsumer<Delivery> dedup,
        ResultHandler<Delivery, R> handler,
        OutcomeCodec<R> codec,
        boolean rpc) {
    private static final Logger LOG = LoggerFactory.getLogger(BatchJudge.class);

    /**
     * One verdict per delivery, in order. Never throws for a handler's failure: an {@code Exception} becomes a
     * retry or dead-letter verdict, an {@code Error} ends the batch as described above.
     */
    List<Verdict> judge(List<PendingDelivery> deliveries) {
        settings.metrics().batch(deliveries.size());
        ClaimedBatch<Delivery> batch;
        try {
            batch = dedup.claimAll(deliveries);
        } catch (RuntimeException e) { // a store's or a key extractor's bug; the store being down is not thrown
            LOG.warn("dedup could not claim a batch of queue {}; backing off: {}", settings.queue(), e.toString());
            return deliveries.stream().map(Verdict::backOff).toList();
        }
        int failedAt = -1;
        Error error = null;
        try (batch) {
            for (ClaimedBatch.Entry<Delivery> entry : batch.entries()) {
                if (!entry.mayRun()) {
                    continue;
                }
                // a delivery on its last attempt is a final attempt: FailurePolicy.MARK_FAILED applies to it only
                boolean last = deliveries.get(entry.index()).attempt() >= settings.maxAttempts();
                try {
                    batch.run(entry, handler, codec, last);
                } catch (Error e) { // core released its key; closing the batch keeps what finished before it
                    failedAt = entry.index();
                    error = e;
                    break;
                }
            }
            batch.complete();
        }
        List<DedupResult<?>> results = batch.results(); // all settled once closed
        List<Verdict> verdicts = new ArrayList<>(deliveries.size());
        for (int i = 0; i < deliveries.size(); i++) {
            PendingDelivery delivery = deliveries.get(i);
            Verdict verdict =
                    Verdict.of(delivery, results.get(i), rpc, settings.maxAttempts(), settings.redeliveryDelay());
            verdicts.add(i == failedAt ? verdict.withError(error) : verdict);
        }
        if (error != null) {
            LOG.error(
                    "the handler threw an Error on {}; the deliveries before it are settled, the {} after it run again,"
                            + " and it goes to {}",
                    deliveries.get(failedAt).describe(settings.queue()),
                    deliveries.size() - failedAt - 1,
                    verdicts.get(failedAt).kind() == Verdict.Kind.RETRY ? "a retry" : "the dead letters",
                    error);
        }
        return verdicts;
    }
}
