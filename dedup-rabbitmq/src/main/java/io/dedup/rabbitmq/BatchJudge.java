package io.dedup.rabbitmq;

import com.rabbitmq.client.Delivery;
import io.dedup.DedupConsumer;
import io.dedup.DedupResult;
import io.dedup.OutcomeCodec;
import io.dedup.ResultHandler;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a batch of deliveries through dedup (one claim round trip, the handlers in order, one completion round trip)
 * and turns each result into a {@link Verdict}. Keeps the batch's handlers well inside one lease: a batch's keys are
 * claimed together and completed together, and a claim is renewed only while its own handler runs, so the batch
 * size is capped at what the handlers, at their recent pace, finish in a third of the lease.
 *
 * <p>Not thread-safe: owned by one pipeline's worker thread.
 */
final class BatchJudge<R> {
    private static final Logger LOG = LoggerFactory.getLogger(BatchJudge.class);

    private final QueueSettings settings;
    private final DedupConsumer<Delivery> dedup;
    private final ResultHandler<Delivery, R> handler;
    private final OutcomeCodec<R> codec;
    private final boolean rpc;
    private double nanosPerDelivery;

    BatchJudge(
            QueueSettings settings,
            DedupConsumer<Delivery> dedup,
            ResultHandler<Delivery, R> handler,
            OutcomeCodec<R> codec,
            boolean rpc) {
        this.settings = settings;
        this.dedup = dedup;
        this.handler = handler;
        this.codec = codec;
        this.rpc = rpc;
    }

    /** The most deliveries to take into the next batch. */
    int batchLimit() {
        if (nanosPerDelivery <= 0) {
            return settings.batchSize();
        }
        double budget = dedup.lease().toNanos() / 3.0;
        return (int) Math.max(1, Math.min(settings.batchSize(), budget / nanosPerDelivery));
    }

    /** One verdict per delivery, in order. */
    List<Verdict> judge(List<PendingDelivery> batch) {
        long started = System.nanoTime();
        List<Verdict> verdicts = new ArrayList<>(batch.size());
        int from = 0;
        while (from < batch.size()) {
            // Deliveries on their last attempt are claimed apart, so that MARK_FAILED applies to them only.
            boolean last = isLastAttempt(batch.get(from));
            int to = from + 1;
            while (to < batch.size() && isLastAttempt(batch.get(to)) == last) {
                to++;
            }
            judgeSegment(batch.subList(from, to), last, verdicts);
            from = to;
        }
        double perDelivery = (System.nanoTime() - started) / (double) batch.size();
        nanosPerDelivery = nanosPerDelivery <= 0 ? perDelivery : 0.8 * nanosPerDelivery + 0.2 * perDelivery;
        return verdicts;
    }

    private void judgeSegment(List<PendingDelivery> segment, boolean last, List<Verdict> verdicts) {
        settings.metrics().batch(segment.size());
        List<DedupResult<R>> results;
        try {
            results = dedup.processAll(segment, handler, codec, last);
        } catch (RuntimeException e) {
            LOG.warn("dedup could not process a batch of queue {}; backing off: {}", settings.queue(), e.toString());
            results = null;
        }
        for (int i = 0; i < segment.size(); i++) {
            verdicts.add(
                    results == null
                            ? new Verdict(segment.get(i), Verdict.Kind.BACK_OFF, null, false, null, null, 0)
                            : Verdict.of(segment.get(i), results.get(i), rpc, settings.maxAttempts()));
        }
    }

    private boolean isLastAttempt(PendingDelivery delivery) {
        return delivery.attempt() >= settings.maxAttempts();
    }
}
