package io.dedup.kafka;

import io.dedup.Claim;
import io.dedup.DedupKey;
import io.dedup.DedupStoreUnavailableException;
import io.dedup.Outcome;
import io.dedup.OutcomeStatus;
import io.dedup.spi.ClaimRequest;
import io.dedup.spi.ClaimResult;
import io.dedup.spi.Completion;
import io.dedup.spi.DedupStore;
import io.dedup.spi.Position;
import io.dedup.spi.RecordState;
import io.dedup.spi.StoreTransaction;
import io.dedup.spi.StoredRecord;
import io.dedup.spi.TransactionalStore;
import io.dedup.spi.WriteResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * TEST ONLY: a small in-memory {@link TransactionalStore} for unit tests of the Kafka-to-database mode, standing in
 * for the JDBC store. Transactions run one at a time (a global lock) on a copy of the committed state, so rollback
 * is dropping the copy. The "database" the handler writes to is a {@link Ledger}. Commit refuses to keep a claim in
 * progress: in the transactional mode every claim must end completed or rolled back.
 */
final class FakeTransactionalStore implements DedupStore, TransactionalStore {
    /** The handler's table: what it wrote, in commit order. */
    static final class Ledger {
        final List<String> rows;

        Ledger(List<String> rows) {
            this.rows = rows;
        }

        void write(String row) {
            rows.add(row);
        }
    }

    private record Rec(RecordState state, long token, int attempts, Outcome outcome) {}

    private final ReentrantLock lock = new ReentrantLock();
    private Map<DedupKey, Rec> records = new HashMap<>();
    private Map<String, Map<Integer, Long>> positions = new HashMap<>();
    private List<String> ledger = new ArrayList<>();
    private volatile boolean down;
    int commits;

    void down(boolean down) {
        this.down = down;
    }

    List<String> ledger() {
        lock.lock();
        try {
            return List.copyOf(ledger);
        } finally {
            lock.unlock();
        }
    }

    Map<Integer, Long> positions(String namespace, String topic) {
        lock.lock();
        try {
            return Map.copyOf(positions.getOrDefault(namespace + "/" + topic, Map.of()));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public StoreTransaction begin() {
        if (down) {
            throw new DedupStoreUnavailableException("fake store switched off");
        }
        lock.lock();
        return new Tx();
    }

    private final class Tx implements StoreTransaction {
        private final Map<DedupKey, Rec> working = new HashMap<>(records);
        private final Map<String, Map<Integer, Long>> workingPositions = new HashMap<>();
        private final List<String> workingLedger = new ArrayList<>(ledger);
        private boolean open = true;

        Tx() {
            positions.forEach((k, v) -> workingPositions.put(k, new HashMap<>(v)));
        }

        private void check() {
            if (!open) {
                throw new IllegalStateException("transaction is closed");
            }
            if (down) {
                throw new DedupStoreUnavailableException("fake store switched off");
            }
        }

        @Override
        public List<ClaimResult> claimAll(List<ClaimRequest> requests) {
            check();
            List<ClaimResult> results = new ArrayList<>();
            for (ClaimRequest request : requests) {
                Rec rec = working.get(request.key());
                if (rec == null || rec.state() == RecordState.RELEASED) {
                    long token = rec == null ? 1 : rec.token() + 1;
                    int attempts = rec == null ? 1 : rec.attempts() + 1;
                    working.put(request.key(), new Rec(RecordState.IN_PROGRESS, token, attempts, null));
                    results.add(new ClaimResult.Acquired(new Claim(
                            request.key(), token, attempts, Instant.now().plus(request.lease()))));
                } else if (rec.state() == RecordState.COMPLETED) {
                    results.add(new ClaimResult.Duplicate(request.key(), rec.outcome()));
                } else {
                    results.add(new ClaimResult.InProgress(
                            request.key(), Instant.now().plusSeconds(60)));
                }
            }
            return results;
        }

        @Override
        public List<WriteResult> releaseAll(List<Claim> claims, java.time.Duration retention) {
            check();
            return claims.stream()
                    .map(claim -> settle(claim.key(), claim.token(), RecordState.RELEASED, null))
                    .toList();
        }

        @Override
        public List<WriteResult> completeAll(List<Completion> completions) {
            check();
            return completions.stream()
                    .map(c -> settle(
                            c.key(), c.token(), RecordState.COMPLETED, Outcome.of(c.status(), c.body(), Instant.now())))
                    .toList();
        }

        /** Moves the key held by {@code token} to {@code state}; fenced unless {@code token} holds it now. */
        private WriteResult settle(DedupKey key, long token, RecordState state, Outcome outcome) {
            Rec rec = working.get(key);
            if (rec == null || rec.state() != RecordState.IN_PROGRESS || rec.token() != token) {
                return WriteResult.FENCED;
            }
            working.put(key, new Rec(state, rec.token(), rec.attempts(), outcome));
            return WriteResult.APPLIED;
        }

        @Override
        public void savePositions(String namespace, List<Position> list) {
            check();
            for (Position p : list) {
                workingPositions
                        .computeIfAbsent(namespace + "/" + p.stream(), k -> new HashMap<>())
                        .put(p.partition(), p.next());
            }
        }

        @Override
        public Map<Integer, Long> positions(String namespace, String stream) {
            check();
            return Map.copyOf(workingPositions.getOrDefault(namespace + "/" + stream, Map.of()));
        }

        @Override
        public <T> Optional<T> resource(Class<T> type) {
            return type == Ledger.class ? Optional.of(type.cast(new Ledger(workingLedger))) : Optional.empty();
        }

        @Override
        public void commit() {
            check();
            for (Map.Entry<DedupKey, Rec> e : working.entrySet()) {
                if (e.getValue().state() == RecordState.IN_PROGRESS) {
                    throw new IllegalStateException("commit would keep " + e.getKey() + " in progress");
                }
            }
            records = working;
            positions = workingPositions;
            ledger = workingLedger;
            commits++;
            end();
        }

        @Override
        public void rollback() {
            end();
        }

        @Override
        public void close() {
            end();
        }

        private void end() {
            if (open) {
                open = false;
                lock.unlock();
            }
        }
    }

    // The plain store SPI, each call its own transaction: the transactional mode does not use it.

    @Override
    public ClaimResult claim(ClaimRequest request) {
        throw new UnsupportedOperationException("not used by the transactional mode");
    }

    @Override
    public WriteResult complete(Completion completion) {
        throw new UnsupportedOperationException("not used by the transactional mode");
    }

    @Override
    public WriteResult renew(DedupKey key, long token, Duration lease) {
        throw new UnsupportedOperationException("not used by the transactional mode");
    }

    @Override
    public WriteResult release(DedupKey key, long token, Duration retention) {
        throw new UnsupportedOperationException("not used by the transactional mode");
    }

    @Override
    public Optional<StoredRecord> find(DedupKey key) {
        throw new UnsupportedOperationException("not used by the transactional mode");
    }

    /** Whether a transaction is open now (begun and neither committed, rolled back nor closed). */
    boolean inTransaction() {
        return lock.isLocked();
    }

    /** The committed state of {@code key}, or null if it has no record. */
    RecordState state(DedupKey key) {
        lock.lock();
        try {
            Rec rec = records.get(key);
            return rec == null ? null : rec.state();
        } finally {
            lock.unlock();
        }
    }

    /** Marks {@code key} completed, as another consumer's committed transaction would. */
    void completed(DedupKey key) {
        lock.lock();
        try {
            records.put(
                    key,
                    new Rec(
                            RecordState.COMPLETED,
                            1,
                            1,
                            Outcome.of(OutcomeStatus.SUCCEEDED, new byte[0], Instant.now())));
        } finally {
            lock.unlock();
        }
    }
}
