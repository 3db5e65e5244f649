package io.dedup.jdbc;

import io.dedup.DedupKey;
import io.dedup.spi.Completion;
import io.dedup.spi.WriteResult;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Completes a batch so that it answers exactly as sequential completions would: only the first completion of a
 * (key, token) pair can apply, and of several tokens for one key only the current one can. One statement per
 * {@value StatementBatch#CHUNK} completions or {@value #CHUNK_BYTES} bytes of outcomes.
 */
final class CompletionBatch extends StatementBatch {
    /** Outcome bytes after which a chunk is cut short, so that one statement stays well below packet limits. */
    private static final long CHUNK_BYTES = 4L << 20;

    CompletionBatch(On on) {
        super(on);
    }

    /**
     * @throws SQLException if the first statement fails, or any in a transaction; later failures outside a
     *     transaction answer {@link WriteResult.Failed} for the completions still open
     */
    List<WriteResult> completeAll(List<Completion> completions) throws SQLException {
        int n = completions.size();
        WriteResult[] results = new WriteResult[n];
        Map<SqlDialect.Written, Integer> first = new HashMap<>(n * 2);
        List<Completion> unique = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Completion completion = Objects.requireNonNull(completions.get(i), "completions must not contain null");
            DedupKey key = StoredText.key(completion.key());
            // A repeat of a (key, token) pair is fenced: sequentially, the first completion would have ended the
            // hold that the second one needs. A key the dialect cannot store has no row to complete.
            if (dialect.unstorable(key) != null
                    || first.putIfAbsent(new SqlDialect.Written(key, completion.token()), i) != null) {
                results[i] = WriteResult.FENCED;
                continue;
            }
            unique.add(StoredText.completion(completion, key));
        }
        // Distinct pairs may still share a key with different tokens: one statement completes at most the one whose
        // token the row holds, which is the answer sequential completions would give too.
        Set<SqlDialect.Written> written = new HashSet<>();
        int from = 0;
        try {
            while (from < unique.size()) {
                int to = from;
                long bytes = 0;
                while (to < unique.size() && to - from < CHUNK && (to == from || bytes < CHUNK_BYTES)) {
                    bytes += unique.get(to).body().length;
                    to++;
                }
                written.addAll(completeChunk(unique.subList(from, to)));
                from = to;
            }
        } catch (SQLException e) {
            // Nothing decided yet, or a transaction that is now rolled back: the whole call failed. Otherwise the
            // chunks that ran stand (autocommit), and only the rest is answered as failed.
            if (inTransaction || from == 0) {
                throw e;
            }
            WriteResult.Failed failed = new WriteResult.Failed(failure(e));
            for (int u = from; u < unique.size(); u++) {
                Completion c = unique.get(u);
                results[first.get(new SqlDialect.Written(c.key(), c.token()))] = failed;
            }
        }
        for (int u = 0; u < from; u++) {
            SqlDialect.Written id =
                    new SqlDialect.Written(unique.get(u).key(), unique.get(u).token());
            results[first.get(id)] = WriteResult.of(written.contains(id));
        }
        return Arrays.asList(results);
    }

    /** One statement's completions; a deadlock rolls back that statement only, so it is run again. */
    private Set<SqlDialect.Written> completeChunk(List<Completion> chunk) throws SQLException {
        return retried(() -> dialect.completeAll(connection, chunk));
    }
}
