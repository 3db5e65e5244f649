package io.dedup.kafka;

import io.dedup.Claim;
import io.dedup.DedupStoreException;
import io.dedup.DedupStoreUnavailableException;
import io.dedup.IdempotencyConflictException;
import io.dedup.KeyInProgressException;
import io.dedup.LeaseLostException;
import io.dedup.OutcomeStatus;
import io.dedup.StoreUnavailablePolicy;
import io.dedup.spi.Completion;
import io.dedup.spi.WriteResult;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One call of a wrapped {@link BatchHandler}: claim all, hand on the acquired records, complete or release. */
final class BatchClaims {
    private static final Logger LOG = LoggerFactory.getLogger(BatchClaims.class);
    private static final byte[] EMPTY = new byte[0];

    private final KafkaDedup dedup;
    private final KafkaDedupSettings settings;

    BatchClaims(KafkaDedup dedup) {
        this.dedup = dedup;
        this.settings = dedup.settings;
    }

    <K, V> void run(List<ConsumerRecord<K, V>> records, BatchHandler<K, V> handler) throws Exception {
        List<ClaimRound.Entry> entries;
        try {
            entries = ClaimRound.claim(dedup, records, settings.store()::claimAll);
        } catch (DedupStoreUnavailableException e) {
            if (settings.storeUnavailablePolicy() == StoreUnavailablePolicy.FAIL_OPEN) {
                LOG.warn(
                        "store unavailable, running a batch of {} records of namespace {} unguarded (fail-open): {}",
                        records.size(),
                        settings.namespace(),
                        e.toString());
                handler.handle(List.copyOf(records));
                return;
            }
            throw e;
        }
        List<ConsumerRecord<K, V>> acquired = new ArrayList<>();
        List<Claim> claims = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            ClaimRound.Entry entry = entries.get(i);
            if (entry.kind == ClaimRound.Kind.ACQUIRED) {
                acquired.add(records.get(i));
                claims.add(entry.claim);
            }
        }
        if (!acquired.isEmpty()) {
            runAndComplete(acquired, claims, handler);
        }
        for (ClaimRound.Entry entry : entries) {
            ClaimRound.Entry decisive = entry.kind == ClaimRound.Kind.REPEAT ? entries.get(entry.firstIndex) : entry;
            switch (decisive.kind) {
                case ACQUIRED, DUPLICATE, REPEAT -> {}
                case IN_PROGRESS -> throw new KeyInProgressException(decisive.key, decisive.leaseUntil);
                case CONFLICT -> throw new IdempotencyConflictException(decisive.key);
                case REJECTED, UNAVAILABLE -> throw decisive.error;
            }
        }
    }

    private <K, V> void runAndComplete(
            List<ConsumerRecord<K, V>> acquired, List<Claim> claims, BatchHandler<K, V> handler) throws Exception {
        try {
            handler.handle(List.copyOf(acquired));
        } catch (Exception e) {
            for (Claim claim : claims) {
                try {
                    settings.store().release(claim.key(), claim.token(), settings.retention());
                } catch (DedupStoreException releaseFailed) {
                    LOG.warn(
                            "could not release a key of namespace {} after its batch failed; it is retried after"
                                    + " its lease ends: {}",
                            settings.namespace(),
                            releaseFailed.toString());
                }
            }
            throw e;
        }
        List<Completion> completions = new ArrayList<>(claims.size());
        for (Claim claim : claims) {
            completions.add(
                    new Completion(claim.key(), claim.token(), OutcomeStatus.SUCCEEDED, EMPTY, settings.retention()));
        }
        List<WriteResult> written = settings.store().completeAll(completions);
        for (int i = 0; i < written.size(); i++) {
            WriteResult w = written.get(i);
            if (w instanceof WriteResult.Failed failed) {
                throw failed.cause() instanceof DedupStoreUnavailableException u
                        ? u
                        : new DedupStoreUnavailableException(failed.cause().getMessage(), failed.cause());
            }
            if (w == WriteResult.FENCED) {
                throw new LeaseLostException(claims.get(i).key(), claims.get(i).token());
            }
        }
    }
}
