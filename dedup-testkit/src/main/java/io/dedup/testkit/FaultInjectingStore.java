package io.dedup.testkit;

import io.dedup.Claim;
import io.dedup.DedupKey;
import io.dedup.DedupStoreUnavailableException;
import io.dedup.memory.InMemoryDedupStore;
import io.dedup.spi.ClaimRequest;
import io.dedup.spi.ClaimResult;
import io.dedup.spi.Completion;
import io.dedup.spi.DedupStore;
import io.dedup.spi.StoredRecord;
import io.dedup.spi.WriteResult;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * A real store behind fault switches, for outage tests of the adapters and of core: take the whole store
 * {@link #down(boolean) down}, make the {@link #failNext next N} calls of one operation fail, or {@link #hang hold}
 * the calls of an operation until the test lets them go; and count, per operation, the calls the store answered
 * and the calls it refused. A refused call throws {@link DedupStoreUnavailableException}, as a store in an outage
 * does; it never reaches the delegate.
 *
 * <pre>{@code
 * FaultInjectingStore store = FaultInjectingStore.inMemory();
 * store.failNext(Operation.COMPLETE_ALL, 2);    // the next two completeAll calls fail
 * ...
 * assertThat(store.calls(Operation.CLAIM, Operation.CLAIM_ALL)).isEqualTo(1); // one claim round trip
 * }</pre>
 *
 * <p>Thread-safe: the switches may be flipped while the code under test calls the store from other threads.
 */
public final class FaultInjectingStore extends ForwardingStore {
    /** The store calls a fault can be aimed at. */
    public enum Operation {
        CLAIM,
        CLAIM_ALL,
        COMPLETE,
        COMPLETE_ALL,
        RENEW,
        RENEW_ALL,
        RELEASE,
        FIND
    }

    /** Whether every call is refused; flipped by the test while the code under test runs. */
    private volatile boolean down;
    /** Planned failures still to come, per operation. */
    private final Map<Operation, AtomicInteger> failuresLeft = counters();
    /** Calls the delegate answered, per operation: what tests count round trips with. */
    private final Map<Operation, AtomicInteger> answered = counters();
    /** Calls refused by a switch (down, a planned failure, an interrupted hold), per operation. */
    private final Map<Operation, AtomicInteger> refused = counters();
    /**
     * Calls waiting at a hold right now, per operation, so a test can wait until the code under test is parked there.
     */
    private final Map<Operation, AtomicInteger> held = counters();
    /** The hold per operation, or null when calls pass; a latch so that releasing frees every held call at once. */
    private final Map<Operation, AtomicReference<CountDownLatch>> gates = new EnumMap<>(Operation.class);

    private FaultInjectingStore(DedupStore delegate) {
        super(delegate);
        for (Operation operation : Operation.values()) {
            gates.put(operation, new AtomicReference<>());
        }
    }

    /**
     * Puts the switches in front of {@code delegate}; closing this store closes the delegate.
     *
     * @throws NullPointerException if {@code delegate} is null
     */
    public static FaultInjectingStore wrap(DedupStore delegate) {
        return new FaultInjectingStore(delegate);
    }

    /** Puts the switches in front of a new {@link InMemoryDedupStore}. */
    public static FaultInjectingStore inMemory() {
        return wrap(InMemoryDedupStore.create());
    }

    /** While {@code down} is true every call of every operation is refused. */
    public void down(boolean down) {
        this.down = down;
    }

    /**
     * Refuses the next {@code times} calls of {@code operation} (added to any still pending), then answers again.
     *
     * @throws IllegalArgumentException if {@code times} is negative
     */
    public void failNext(Operation operation, int times) {
        if (times < 0) {
            throw new IllegalArgumentException("times must be >= 0, was " + times);
        }
        failuresLeft.get(Objects.requireNonNull(operation, "operation")).addAndGet(times);
    }

    /**
     * Holds every call of {@code operation} that starts from now on until {@link #resume} (a held call whose thread
     * is interrupted is refused). Then the call goes on to the switches and the delegate as usual.
     */
    public void hang(Operation operation) {
        // an existing hold stays: holding twice must not lose the calls already parked on the first latch
        gates.get(Objects.requireNonNull(operation, "operation")).compareAndSet(null, new CountDownLatch(1));
    }

    /** Lets the held calls of {@code operation}, and those still to come, go on. */
    public void resume(Operation operation) {
        CountDownLatch gate =
                gates.get(Objects.requireNonNull(operation, "operation")).getAndSet(null);
        if (gate != null) {
            gate.countDown();
        }
    }

    /** How many calls of {@code operation} are being held by {@link #hang} right now. */
    public int hanging(Operation operation) {
        return held.get(Objects.requireNonNull(operation, "operation")).get();
    }

    /** The calls of these operations that the delegate answered (refused calls are not counted). */
    public int calls(Operation... operations) {
        return sum(answered, operations);
    }

    /** The calls of these operations that were refused; of every operation when none is named. */
    public int refused(Operation... operations) {
        return sum(refused, operations.length == 0 ? Operation.values() : operations);
    }

    @Override
    public ClaimResult claim(ClaimRequest request) {
        return call(Operation.CLAIM, () -> super.claim(request));
    }

    @Override
    public List<ClaimResult> claimAll(List<ClaimRequest> requests) {
        return call(Operation.CLAIM_ALL, () -> super.claimAll(requests));
    }

    @Override
    public WriteResult complete(Completion completion) {
        return call(Operation.COMPLETE, () -> super.complete(completion));
    }

    @Override
    public List<WriteResult> completeAll(List<Completion> completions) {
        return call(Operation.COMPLETE_ALL, () -> super.completeAll(completions));
    }

    @Override
    public WriteResult renew(DedupKey key, long token, Duration lease) {
        return call(Operation.RENEW, () -> super.renew(key, token, lease));
    }

    @Override
    public List<WriteResult> renewAll(List<Claim> claims, Duration lease) {
        return call(Operation.RENEW_ALL, () -> super.renewAll(claims, lease));
    }

    @Override
    public WriteResult release(DedupKey key, long token, Duration retention) {
        return call(Operation.RELEASE, () -> super.release(key, token, retention));
    }

    @Override
    public Optional<StoredRecord> find(DedupKey key) {
        return call(Operation.FIND, () -> super.find(key));
    }

    @Override
    public String describe() {
        return "fault-injecting " + super.describe();
    }

    /** The one path every operation takes: the hold, then the switches, then the delegate, counting what happened. */
    private <T> T call(Operation operation, Supplier<T> forward) {
        awaitGate(operation);
        // A pending failure is used up even while the store is down, so that "the next N" means the next N calls.
        boolean planned = failuresLeft.get(operation).getAndUpdate(n -> Math.max(0, n - 1)) > 0;
        if (down || planned) {
            refused.get(operation).incrementAndGet();
            throw new DedupStoreUnavailableException(operation + " refused by the test's fault switch");
        }
        T answer = forward.get();
        answered.get(operation).incrementAndGet();
        return answer;
    }

    /**
     * Waits while {@code operation} is held; an interrupted wait is refused like an outage, so the caller backs off.
     */
    private void awaitGate(Operation operation) {
        CountDownLatch gate = gates.get(operation).get();
        if (gate == null) {
            return;
        }
        held.get(operation).incrementAndGet();
        try {
            gate.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            refused.get(operation).incrementAndGet();
            throw new DedupStoreUnavailableException(operation + " interrupted while held by the test", e);
        } finally {
            held.get(operation).decrementAndGet();
        }
    }

    /** A zero counter per operation, in an EnumMap so the per-call lookup is an array index. */
    private static Map<Operation, AtomicInteger> counters() {
        Map<Operation, AtomicInteger> counters = new EnumMap<>(Operation.class);
        for (Operation operation : Operation.values()) {
            counters.put(operation, new AtomicInteger());
        }
        return counters;
    }

    /** The sum of {@code counters} over {@code operations}. */
    private static int sum(Map<Operation, AtomicInteger> counters, Operation... operations) {
        int total = 0;
        for (Operation operation : operations) {
            total +=
                    counters.get(Objects.requireNonNull(operation, "operation")).get();
        }
        return total;
    }
}
