package io.dedup.testkit;

import io.dedup.DedupKey;
import io.dedup.NearCachedStore;
import io.dedup.OutcomeStatus;
import io.dedup.memory.InMemoryDedupStore;
import io.dedup.spi.ClaimRequest;
import io.dedup.spi.ClaimResult;
import io.dedup.spi.Completion;
import io.dedup.spi.DedupStore;
import io.dedup.spi.StoredRecord;
import io.dedup.spi.WriteResult;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.junit.jupiter.api.Test;

/**
 * Linearizability of the in-memory store and of the near-cache over it, checked by
 * Lincheck under real threads (stress) and under its model checker (interleavings it chooses): every concurrent run
 * must answer as some sequential run of the same calls would. Time is part of the state: {@code tick} moves the
 * clock past a lease and a retention. Batches are left to {@link StoreModelCheck}: a batch is the same claims one at a
 * time, not one atomic step, so Lincheck (which treats each operation as atomic) would rightly see other calls
 * between its claims.
 */
public abstract class StoreLincheckTest {
    private static final Duration LEASE = Duration.ofSeconds(5);
    private static final Duration RETENTION = Duration.ofSeconds(5);

    final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    final DedupStore store = create();

    abstract DedupStore create();

    private static DedupKey key(int k) {
        return DedupKey.of("ns", "k" + k);
    }

    private static ClaimRequest request(int k, int fp) {
        return new ClaimRequest(key(k), LEASE, RETENTION, fp == 0 ? Optional.empty() : Optional.of("f" + fp));
    }

    private static String describe(ClaimResult result) {
        if (result instanceof ClaimResult.Acquired a) {
            return "Acquired(" + a.claim().token() + "," + a.claim().attempt() + ","
                    + a.claim().leaseUntil() + ")";
        }
        if (result instanceof ClaimResult.Duplicate d) {
            return "Duplicate(" + java.util.Arrays.toString(d.outcome().body()) + ")";
        }
        return result.toString();
    }

    @Operation
    public String claim(
            @Param(gen = IntGen.class, conf = "0:1") int k, @Param(gen = IntGen.class, conf = "0:2") int fp) {
        try {
            return describe(store.claim(request(k, fp)));
        } catch (io.dedup.DedupStoreFullException e) {
            return "full";
        }
    }

    @Operation
    public String complete(
            @Param(gen = IntGen.class, conf = "0:1") int k, @Param(gen = IntGen.class, conf = "1:5") int token) {
        WriteResult result = store.complete(
                new Completion(key(k), token, OutcomeStatus.SUCCEEDED, new byte[] {(byte) token}, RETENTION));
        return result.toString();
    }

    @Operation
    public String release(
            @Param(gen = IntGen.class, conf = "0:1") int k, @Param(gen = IntGen.class, conf = "1:5") int token) {
        return store.release(key(k), token, RETENTION).toString();
    }

    @Operation
    public String renew(
            @Param(gen = IntGen.class, conf = "0:1") int k, @Param(gen = IntGen.class, conf = "1:5") int token) {
        return store.renew(key(k), token, LEASE).toString();
    }

    @Operation
    public String find(@Param(gen = IntGen.class, conf = "0:1") int k) {
        return store.find(key(k))
                .map(StoredRecord::toString)
                .map(s -> s.replaceAll("@[0-9a-f]+", ""))
                .orElse("absent");
    }

    @Operation(nonParallelGroup = "clock")
    public void tick() {
        clock.advance(LEASE.plus(RETENTION).plusSeconds(1));
    }

    @Test
    void answers_as_some_sequential_run_under_real_threads() {
        new StressOptions()
                .iterations(8)
                .invocationsPerIteration(500)
                .threads(3)
                .actorsPerThread(3)
                .check(getClass());
    }

    /**
     * The in-memory store. (Bounded, it is not linearizable by design: two claims of new keys may both pass the size
     * check, so the bound can be exceeded by the number of claiming threads; Lincheck shows it at once.)
     */
    public static class InMemory extends StoreLincheckTest {
        @Override
        DedupStore create() {
            return InMemoryDedupStore.builder().clock(clock).build();
        }

        /** Only here: under the model checker, Caffeine's maintenance inside the near-cache never completes. */
        @Test
        void answers_as_some_sequential_run_under_the_model_checker() {
            new ModelCheckingOptions()
                    .iterations(8)
                    .invocationsPerIteration(150)
                    .threads(3)
                    .actorsPerThread(3)
                    .check(getClass());
        }
    }

    /** The near-cache over the in-memory store, with a local TTL far past the retention. */
    public static class NearCached extends StoreLincheckTest {
        @Override
        DedupStore create() {
            return NearCachedStore.wrap(
                    InMemoryDedupStore.builder().clock(clock).build(), 100, Duration.ofHours(1), clock);
        }
    }
}
