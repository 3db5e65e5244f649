package io.dedup.jdbc;

import io.dedup.DedupKey;
import io.dedup.DedupStoreCorruptionException;
import io.dedup.DedupStoreUnavailableException;
import io.dedup.spi.ClaimRequest;
import io.dedup.spi.ClaimResult;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Claims a batch so that it answers exactly as sequential claims would. A key repeated in the batch is claimed
 * again in a later round (its first claim decides the second). Within a round, keys go in sorted order, so that
 * concurrent batches lock rows in the same order and do not deadlock, one statement per {@value
 * StatementBatch#CHUNK} keys. Keys a statement could not decide (a concurrent insert it could not see) are claimed
 * again. Not thread-safe: one batch, one caller.
 */
final class ClaimBatch extends StatementBatch {
    /** Rounds of re-claiming keys a statement could not decide, before they fail as unavailable. */
    private static final int TRIES = 20;

    /** The order rows are locked in; any total order does, as long as every batch uses the same. */
    private static final Comparator<ClaimRequest> KEY_ORDER = Comparator.comparing(
                    (ClaimRequest r) -> r.key().namespace())
            .thenComparing(r -> r.key().id());

    ClaimBatch(On on) {
        super(on);
    }

    /**
     * @throws SQLException if the first statement fails, or any in a transaction; later failures outside a
     *     transaction answer {@link ClaimResult.Failed} for the keys still open
     */
    List<ClaimResult> claimAll(List<ClaimRequest> requests) throws SQLException {
        int n = requests.size();
        ClaimResult[] results = new ClaimResult[n];
        ClaimRequest[] stored = new ClaimRequest[n];
        List<List<Integer>> rounds = new ArrayList<>();
        Map<DedupKey, Integer> occurrences = new HashMap<>(n * 2);
        for (int i = 0; i < n; i++) {
            ClaimRequest request = Objects.requireNonNull(requests.get(i), "requests must not contain null");
            DedupKey key = StoredText.key(request.key());
            String unstorable = dialect.unstorable(key);
            if (unstorable != null) {
                results[i] = new ClaimResult.Failed(
                        request.key(), new DedupStoreCorruptionException(request.key(), unstorable));
                continue;
            }
            stored[i] = key == request.key()
                    ? request
                    : new ClaimRequest(
                            key,
                            request.lease(),
                            request.retention(),
                            request.fingerprint().map(StoredText::of));
            // The n-th occurrence of a key goes into round n: one statement can claim a key only once, and the
            // second claim must see what the first one left.
            int round = occurrences.merge(key, 1, Integer::sum) - 1;
            if (round == rounds.size()) {
                rounds.add(new ArrayList<>());
            }
            rounds.get(round).add(i);
        }
        boolean decided = false;
        try {
            for (List<Integer> round : rounds) {
                round.sort((a, b) -> KEY_ORDER.compare(stored[a], stored[b]));
                List<Integer> open = round;
                for (int tryNo = 1; !open.isEmpty(); tryNo++) {
                    // Each round that leaves keys open lost a race with concurrent writers of those keys; twenty in a
                    // row means heavy contention, answered as unavailable rather than spinning.
                    if (tryNo > TRIES) {
                        DedupStoreUnavailableException cause = new DedupStoreUnavailableException(
                                "claims kept racing with concurrent changes; try again");
                        for (int i : open) {
                            results[i] = new ClaimResult.Failed(requests.get(i).key(), cause);
                        }
                        break;
                    }
                    List<Integer> again = new ArrayList<>();
                    for (int from = 0; from < open.size(); from += CHUNK) {
                        List<Integer> chunk = open.subList(from, Math.min(open.size(), from + CHUNK));
                        Map<DedupKey, KeyRow> rows = claimChunk(chunk, stored);
                        for (int i : chunk) {
                            ClaimResult answer = answer(rows.get(stored[i].key()), stored[i], requests.get(i));
                            if (answer == null) {
                                again.add(i);
                            } else {
                                results[i] = answer;
                                decided = true;
                            }
                        }
                    }
                    open = again;
                }
            }
        } catch (SQLException e) {
            // As for completions: once some keys are decided (and committed, in autocommit), a later failure must
            // not hide those answers; in a transaction the rollback undid them, so the whole call fails.
            if (inTransaction || !decided) {
                throw e;
            }
            DedupStoreUnavailableException cause = failure(e);
            for (int i = 0; i < n; i++) {
                if (results[i] == null) {
                    results[i] = new ClaimResult.Failed(requests.get(i).key(), cause);
                }
            }
        }
        return Arrays.asList(results);
    }

    /** One statement's claims, by key as stored; a deadlock rolls back that statement only, so it is run again. */
    private Map<DedupKey, KeyRow> claimChunk(List<Integer> chunk, ClaimRequest[] stored) throws SQLException {
        List<ClaimRequest> requests = new ArrayList<>(chunk.size());
        for (int i : chunk) {
            requests.add(stored[i]);
        }
        return retried(() -> dialect.claim(connection, requests, inTransaction));
    }

    /**
     * The answer for one request from its row, or null to claim it again (no row: inserted concurrently after the
     * statement's snapshot; or changed under it). An unreadable row fails that key only.
     */
    private static ClaimResult answer(KeyRow row, ClaimRequest stored, ClaimRequest request) {
        if (row == null) {
            return null;
        }
        try {
            return row.answer(stored, request.key());
        } catch (DedupStoreCorruptionException e) {
            return new ClaimResult.Failed(request.key(), e);
        } catch (IllegalArgumentException e) {
            return new ClaimResult.Failed(
                    request.key(), new DedupStoreCorruptionException(request.key(), e.getMessage(), e));
        }
    }
}
