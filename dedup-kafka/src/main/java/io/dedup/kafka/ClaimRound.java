package io.dedup.kafka;

import io.dedup.Claim;
import io.dedup.DedupKey;
import io.dedup.DedupStoreCorruptionException;
import io.dedup.DedupStoreUnavailableException;
import io.dedup.IdempotencyKeyException;
import io.dedup.spi.ClaimRequest;
import io.dedup.spi.ClaimResult;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The claims of a batch taken directly through the store SPI, in one {@code claimAll}: for the batch handler and
 * the transactional modes, where the handler's work must sit between the claim and the completion in a way {@link
 * io.dedup.DedupConsumer#processAll} does not allow. A key repeated within the batch is claimed once; its later
 * records are {@link Kind#REPEAT}s of the first.
 */
final class ClaimRound {
    enum Kind {
        ACQUIRED,
        DUPLICATE,
        IN_PROGRESS,
        CONFLICT,
        REJECTED,
        UNAVAILABLE,
        REPEAT
    }

    /** What the claim said about one record. */
    static final class Entry {
        final Kind kind;
        final DedupKey key;
        final Claim claim;
        final RuntimeException error;
        final Instant leaseUntil;
        final int firstIndex;

        private Entry(Kind kind, DedupKey key, Claim claim, RuntimeException error, Instant leaseUntil, int first) {
            this.kind = kind;
            this.key = key;
            this.claim = claim;
            this.error = error;
            this.leaseUntil = leaseUntil;
            this.firstIndex = first;
        }
    }

    private ClaimRound() {}

    /**
     * @param claimAll the store's or the transaction's {@code claimAll}
     * @throws DedupStoreUnavailableException if the store cannot answer at all
     */
    static List<Entry> claim(
            KafkaDedup dedup,
            List<? extends ConsumerRecord<?, ?>> records,
            Function<List<ClaimRequest>, List<ClaimResult>> claimAll) {
        KafkaDedupSettings settings = dedup.settings;
        int n = records.size();
        List<Entry> entries = new ArrayList<>(n);
        List<ClaimRequest> requests = new ArrayList<>(n);
        List<Integer> requestIndex = new ArrayList<>(n);
        Map<DedupKey, Integer> first = new HashMap<>(n * 2);
        for (int i = 0; i < n; i++) {
            entries.add(null);
            DedupKey key;
            try {
                key = dedup.keyOf(records.get(i));
            } catch (IdempotencyKeyException e) {
                entries.set(i, new Entry(Kind.REJECTED, null, null, e, null, -1));
                continue;
            }
            Integer earlier = first.putIfAbsent(key, i);
            if (earlier != null) {
                entries.set(i, new Entry(Kind.REPEAT, key, null, null, null, earlier));
            } else {
                requests.add(ClaimRequest.of(key, settings.lease(), settings.retention()));
                requestIndex.add(i);
            }
        }
        if (requests.isEmpty()) {
            return entries;
        }
        List<ClaimResult> results = claimAll.apply(requests);
        if (results.size() != requests.size()) {
            throw new DedupStoreUnavailableException("store " + settings.store().describe() + " answered "
                    + results.size() + " results for " + requests.size() + " claims");
        }
        for (int r = 0; r < results.size(); r++) {
            entries.set(requestIndex.get(r), entryOf(results.get(r)));
        }
        return entries;
    }

    private static Entry entryOf(ClaimResult result) {
        if (result instanceof ClaimResult.Acquired acquired) {
            return new Entry(Kind.ACQUIRED, acquired.key(), acquired.claim(), null, null, -1);
        }
        if (result instanceof ClaimResult.Duplicate duplicate) {
            return new Entry(Kind.DUPLICATE, duplicate.key(), null, null, null, -1);
        }
        if (result instanceof ClaimResult.InProgress inProgress) {
            return new Entry(Kind.IN_PROGRESS, inProgress.key(), null, null, inProgress.leaseUntil(), -1);
        }
        if (result instanceof ClaimResult.Conflict conflict) {
            return new Entry(Kind.CONFLICT, conflict.key(), null, null, null, -1);
        }
        ClaimResult.Failed failed = (ClaimResult.Failed) result;
        if (failed.cause() instanceof DedupStoreCorruptionException corrupt) {
            return new Entry(Kind.REJECTED, failed.key(), null, corrupt, null, -1);
        }
        DedupStoreUnavailableException cause = failed.cause() instanceof DedupStoreUnavailableException u
                ? u
                : new DedupStoreUnavailableException(failed.cause().getMessage(), failed.cause());
        return new Entry(Kind.UNAVAILABLE, failed.key(), null, cause, null, -1);
    }
}
