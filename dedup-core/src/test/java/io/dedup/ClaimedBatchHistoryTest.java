package io.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import io.dedup.memory.InMemoryDedupStore;
import io.dedup.spi.RecordState;
import io.dedup.spi.StoredRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Random batches through the one claim path, replayable from a seed: handlers that return, throw, throw an {@code
 * Error} or are skipped, run on one to four threads in random order, with repeated keys and keys completed by an
 * earlier batch. After every batch: each entry is settled, no handler ran twice for a key, and the store agrees with
 * every result (processed: completed under its token; released or failed: given back; nothing left in progress).
 *
 * <p>Run longer with {@code -Dbatch.histories=N}; replay one with {@code -Dbatch.seed=S}.
 */
class ClaimedBatchHistoryTest {
    private static final AssertionError HANDLER_ERROR = new AssertionError("planted handler Error");

    private enum Plan {
        RETURN,
        THROW,
        ERROR,
        SKIP
    }

    @Test
    void random_batches_settle_every_entry_and_leave_the_store_agreeing() throws Exception {
        long fixed = Long.getLong("batch.seed", 0);
        int histories = fixed != 0 ? 1 : Integer.getInteger("batch.histories", 150);
        long base = new Random().nextLong();
        for (int h = 0; h < histories; h++) {
            long seed = fixed != 0 ? fixed : base + h;
            try {
                history(seed);
            } catch (Throwable e) {
                throw new AssertionError("history failed; replay with -Dbatch.seed=" + seed, e);
            }
        }
    }

    private void history(long seed) throws Exception {
        Random random = new Random(seed);
        MutableTestClock clock = new MutableTestClock(Instant.parse("2026-01-01T00:00:00Z"));
        TestStore store =
                new TestStore(InMemoryDedupStore.builder().clock(clock).build());
        Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (DedupConsumer<Msg> dedup = DedupConsumer.builder(Msg.KEY)
                .store(store)
                .namespace("h")
                .settings(DedupSettings.custom().leaseRenewalFraction(0).build())
                .build()) {
            for (int round = 0; round < 4; round++) {
                int n = 1 + random.nextInt(12);
                List<Msg> messages = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    messages.add(Msg.of("k" + random.nextInt(10)));
                }
                Plan[] plans = new Plan[n];
                for (int i = 0; i < n; i++) {
                    plans[i] = Plan.values()[random.nextInt(Plan.values().length)];
                }
                int threads = 1 + random.nextInt(4);
                ClaimedBatch<Msg> batch = dedup.claimAll(messages);
                List<ClaimedBatch.Entry<Msg>> order = new ArrayList<>(batch.entries());
                java.util.Collections.shuffle(order, random);
                List<Future<?>> futures = new ArrayList<>();
                try (batch) {
                    for (ClaimedBatch.Entry<Msg> entry : order) {
                        if (!entry.mayRun()) {
                            continue;
                        }
                        Plan plan = plans[entry.index()];
                        if (plan == Plan.SKIP) {
                            batch.skip(entry);
                            continue;
                        }
                        Runnable task = () -> batch.run(
                                entry,
                                m -> {
                                    runs.computeIfAbsent(m.key(), k -> new AtomicInteger())
                                            .incrementAndGet();
                                    return switch (plan) {
                                        case THROW -> throw new IllegalStateException("planted failure");
                                        case ERROR -> throw HANDLER_ERROR;
                                        default -> m.key();
                                    };
                                },
                                OutcomeCodecs.utf8());
                        if (threads == 1) {
                            try {
                                task.run();
                            } catch (AssertionError e) {
                                assertThat(e).isSameAs(HANDLER_ERROR);
                            }
                        } else {
                            futures.add(pool.submit(task));
                        }
                    }
                    for (Future<?> f : futures) {
                        try {
                            f.get(30, TimeUnit.SECONDS);
                        } catch (java.util.concurrent.ExecutionException e) {
                            assertThat(e.getCause()).isSameAs(HANDLER_ERROR);
                        }
                    }
                    if (random.nextBoolean()) {
                        batch.complete();
                    }
                }
                check(batch, store, runs);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static void check(ClaimedBatch<Msg> batch, TestStore store, Map<String, AtomicInteger> runs) {
        for (ClaimedBatch.Entry<Msg> entry : batch.entries()) {
            DedupResult<?> result = entry.result();
            assertThat(result).as("entry %d settled", entry.index()).isNotNull();
            Optional<StoredRecord> record = store.find(entry.key().orElseThrow());
            if (result instanceof DedupResult.Processed<?> processed) {
                assertThat(record).get().extracting(StoredRecord::state).isEqualTo(RecordState.COMPLETED);
                assertThat(record.get().token()).isEqualTo(processed.claim().token());
            } else if (result instanceof DedupResult.Released<?> || result instanceof DedupResult.Failed<?>) {
                assertThat(record).get().extracting(StoredRecord::state).isEqualTo(RecordState.RELEASED);
            } else if (result instanceof DedupResult.Duplicate<?>) {
                assertThat(record).get().extracting(StoredRecord::state).isEqualTo(RecordState.COMPLETED);
            } else {
                throw new AssertionError("unexpected result " + result + " for entry " + entry.index());
            }
        }
        // a completed key never runs again; each key ran at most once per attempt that was given back before it
        for (Map.Entry<String, AtomicInteger> ran : runs.entrySet()) {
            StoredRecord record = store.find(DedupKey.of("h", ran.getKey())).orElseThrow();
            assertThat(ran.getValue().get())
                    .as("runs of key %s (attempts %d)", ran.getKey(), record.attempts())
                    .isLessThanOrEqualTo(record.attempts());
        }
    }
}
