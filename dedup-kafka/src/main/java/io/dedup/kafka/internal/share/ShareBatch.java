package io.dedup.kafka.internal.share;

import io.dedup.ClaimedBatch;
import io.dedup.DeadLetterReason;
import io.dedup.DedupConsumer;
import io.dedup.DedupResult;
import io.dedup.DedupStoreUnavailableException;
import io.dedup.OutcomeCodecs;
import io.dedup.kafka.internal.BadInput;
import io.dedup.kafka.internal.RecordDecoder;
import io.dedup.kafka.share.ShareDelivery;
import io.dedup.kafka.share.ShareRecordHandler;
import io.dedup.kafka.share.TransactionalShareHandler;
import io.dedup.spi.StoreTransaction;
import io.dedup.spi.TransactionalStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one poll's records through core's batch API: one claim round trip, the acquired records' handlers in order,
 * one completion round trip (leased) or one store-transaction commit (transactional), then one {@link Verdict} per
 * record. Never calls the store's write methods itself. Runs on the runner's handler thread; one batch at a time.
 */
final class ShareBatch<K, V> {
    private static final Logger LOG = LoggerFactory.getLogger(ShareBatch.class);

    private final DedupConsumer<ConsumerRecord<?, ?>> dedup;
    private final Deserializer<K> keys;
    private final Deserializer<V> values;
    /** The leased mode's handler, or null in the transactional mode (then {@code transactionalHandler} is set). */
    private final ShareRecordHandler<K, V> handler;

    private final TransactionalShareHandler<K, V> transactionalHandler;
    /** The group's {@code share.delivery.count.limit}: on that delivery a record that cannot be handled is dead-lettered. */
    private final int deliveryLimit;
    /** The leased batch whose handlers run now, for {@link #flush()} from the poll thread. */
    private volatile ClaimedBatch<ConsumerRecord<?, ?>> open;

    ShareBatch(
            DedupConsumer<ConsumerRecord<?, ?>> dedup,
            Deserializer<K> keys,
            Deserializer<V> values,
            ShareRecordHandler<K, V> handler,
            TransactionalShareHandler<K, V> transactionalHandler,
            int deliveryLimit) {
        this.dedup = dedup;
        this.keys = keys;
        this.values = values;
        this.handler = handler;
        this.transactionalHandler = transactionalHandler;
        this.deliveryLimit = deliveryLimit;
    }

    /**
     * The verdicts for {@code records}, in order. Records not started when {@code stopping} turns true are given back
     * (RELEASE).
     */
    List<Verdict> run(List<ConsumerRecord<byte[], byte[]>> records, BooleanSupplier stopping) {
        Verdict[] verdicts = new Verdict[records.size()];
        List<ConsumerRecord<?, ?>> claimable = new ArrayList<>(records.size());
        List<Integer> positions = new ArrayList<>(records.size());
        List<ConsumerRecord<K, V>> typed = new ArrayList<>(records.size());
        RecordDecoder<K, V> decoder = new RecordDecoder<>(keys, values, records.size());
        for (int i = 0; i < records.size(); i++) {
            ConsumerRecord<byte[], byte[]> raw = records.get(i);
            BadInput bad = decoder.inspect(raw); // a tombstone, or bytes the deserializers refuse
            if (bad != null) {
                verdicts[i] = Verdict.deadLetter(bad.reason(), bad.error(), 0);
                continue;
            }
            typed.add(decoder.typed(raw));
            claimable.add(raw);
            positions.add(i);
        }
        if (!claimable.isEmpty()) {
            List<Verdict> claimed = transactionalHandler == null
                    ? leased(claimable, typed, stopping)
                    : transactional(claimable, typed, stopping);
            for (int j = 0; j < claimed.size(); j++) {
                verdicts[positions.get(j)] = claimed.get(j);
            }
        }
        return Arrays.asList(verdicts);
    }

    /**
     * The leased mode: one claim round trip, the handlers of acquired records in order, one completion round trip.
     * After a handler's Error the remaining records are given back unstarted: the runner survives, but nothing more
     * runs in a batch whose thread just saw an Error.
     */
    private List<Verdict> leased(
            List<ConsumerRecord<?, ?>> claimable, List<ConsumerRecord<K, V>> typed, BooleanSupplier stopping) {
        ClaimedBatch<ConsumerRecord<?, ?>> batch = dedup.claimAll(claimable);
        Error error = null;
        open = batch;
        try (batch) {
            for (ClaimedBatch.Entry<ConsumerRecord<?, ?>> entry : batch.entries()) {
                if (error != null || stopping.getAsBoolean()) {
                    batch.skip(entry);
                    continue;
                }
                if (!entry.mayRun()) {
                    continue;
                }
                ConsumerRecord<K, V> record = typed.get(entry.index());
                ShareDelivery delivery = delivery(entry, record);
                try {
                    batch.run(
                            entry,
                            message -> {
                                handler.handle(record, delivery);
                                return null;
                            },
                            OutcomeCodecs.none(),
                            delivery.lastDelivery());
                } catch (Error e) {
                    error = e; // core released the key; finished work is kept by close(); the loop survives
                    LOG.error(
                            "handler of {} threw an Error; its record takes the failure path",
                            HeldRecords.id(record),
                            e);
                }
            }
            open = null; // no flush from the poll thread may race the batch's own final completion
            batch.complete();
        } finally {
            open = null;
        }
        return verdicts(batch.results(), claimable, false);
    }

    /**
     * Records the completions of the handlers that finished so far in the running leased batch (one round trip), so
     * that a crash while a later handler runs long repeats only that handler. Called by the poll thread while it waits;
     * does nothing between batches or in transactional mode.
     */
    void flush() {
        ClaimedBatch<ConsumerRecord<?, ?>> batch = open;
        if (batch == null) {
            return;
        }
        try {
            batch.complete();
        } catch (RuntimeException e) {
            LOG.debug("writing finished completions early failed (the batch's end writes them): {}", e.toString());
        }
    }

    /**
     * The transactional mode: claims, the handlers' writes and the completions in one store transaction. When it
     * cannot begin, or fails to commit, nothing of it happened, so every record is claimed again (RETRY) and none
     * uses up a delivery.
     */
    private List<Verdict> transactional(
            List<ConsumerRecord<?, ?>> claimable, List<ConsumerRecord<K, V>> typed, BooleanSupplier stopping) {
        TransactionalStore store = dedup.store()
                .capability(TransactionalStore.class)
                .orElseThrow(() -> new IllegalStateException("the store has no transactions"));
        StoreTransaction transaction;
        try {
            transaction = store.begin();
        } catch (DedupStoreUnavailableException e) {
            LOG.warn("store unavailable, cannot begin a transaction: {}", e.toString());
            return new ArrayList<>(java.util.Collections.nCopies(claimable.size(), Verdict.RETRY));
        }
        boolean unavailable = false;
        ClaimedBatch<ConsumerRecord<?, ?>> batch = null;
        try (transaction) {
            batch = dedup.claimAll(claimable, transaction);
            try (ClaimedBatch<ConsumerRecord<?, ?>> running = batch) {
                for (ClaimedBatch.Entry<ConsumerRecord<?, ?>> entry : running.entries()) {
                    if (stopping.getAsBoolean()) {
                        running.skip(entry);
                        continue;
                    }
                    if (!entry.mayRun()) {
                        continue;
                    }
                    ConsumerRecord<K, V> record = typed.get(entry.index());
                    ShareDelivery delivery = delivery(entry, record);
                    running.run(
                            entry,
                            message -> {
                                transactionalHandler.handle(record, delivery, transaction);
                                return null;
                            },
                            OutcomeCodecs.none(),
                            delivery.lastDelivery());
                }
                running.commit(() -> {}); // nothing to add: the share acknowledgements follow the commit
            }
        } catch (DedupStoreUnavailableException e) {
            unavailable = true;
            LOG.warn("store transaction not committed, store unavailable: {}", e.toString());
        } catch (Error e) {
            LOG.error("a handler threw an Error; the store transaction was rolled back", e);
        } catch (Exception e) {
            LOG.warn("store transaction not committed: {}", e.toString());
        }
        if (batch == null) {
            return new ArrayList<>(java.util.Collections.nCopies(claimable.size(), Verdict.RETRY));
        }
        return verdicts(batch.results(), claimable, unavailable);
    }

    /** What the handler learns about this delivery: its claim, and whether it is the last the group allows. */
    private ShareDelivery delivery(ClaimedBatch.Entry<ConsumerRecord<?, ?>> entry, ConsumerRecord<?, ?> record) {
        return new ShareDelivery(entry.claim(), deliveryCount(record), deliveryLimit);
    }

    /** The record's delivery count, at least 1 (a broker that does not report one counts as a first delivery). */
    static int deliveryCount(ConsumerRecord<?, ?> record) {
        Optional<Short> count = record.deliveryCount();
        return count.map(c -> Math.max(1, (int) c)).orElse(1);
    }

    /** The verdict of each result, with the delivery count of its record. */
    private List<Verdict> verdicts(
            List<DedupResult<?>> results, List<ConsumerRecord<?, ?>> records, boolean storeUnavailable) {
        List<Verdict> verdicts = new ArrayList<>(results.size());
        for (int i = 0; i < results.size(); i++) {
            verdicts.add(verdict(results.get(i), deliveryCount(records.get(i)), storeUnavailable));
        }
        return verdicts;
    }

    /** The rules of docs/kafka-share.md, in one place. */
    Verdict verdict(DedupResult<?> result, int deliveryCount, boolean storeUnavailable) {
        boolean last = deliveryCount >= deliveryLimit;
        if (result == null) {
            return Verdict.RETRY; // not settled: nothing was recorded, so nothing may be accepted
        }
        if (result instanceof DedupResult.Processed<?>
                || result instanceof DedupResult.Duplicate<?>
                || result instanceof DedupResult.Unguarded<?>) {
            return Verdict.ACCEPT;
        }
        if (result instanceof DedupResult.Unavailable<?>) {
            return Verdict.RETRY;
        }
        if (result instanceof DedupResult.Released<?> && storeUnavailable) {
            return Verdict.RETRY; // the transaction could not commit: nothing of it happened, and it counts no delivery
        }
        if (result instanceof DedupResult.Failed<?> failed) {
            return last
                    ? Verdict.deadLetter(DeadLetterReason.HANDLER_FAILED, failed.error(), deliveryCount)
                    : Verdict.RELEASE;
        }
        if (result instanceof DedupResult.Conflict<?>) {
            return Verdict.deadLetter(DeadLetterReason.KEY_CONFLICT, null, 0);
        }
        if (result instanceof DedupResult.Rejected<?> rejected) {
            return Verdict.deadLetter(DeadLetterReason.forRejection(rejected.reason()), rejected.reason(), 0);
        }
        if (result instanceof DedupResult.InProgress<?> inProgress) {
            return Verdict.defer(inProgress.leaseUntil());
        }
        // Fenced, Released: not handled here; another delivery decides, unless this was the last one
        return last ? Verdict.deadLetter(DeadLetterReason.DELIVERY_LIMIT, null, 0) : Verdict.RELEASE;
    }
}
