package io.dedup.testkit;

import io.dedup.Claim;
import io.dedup.DedupKey;
import io.dedup.OutcomeStatus;
import io.dedup.spi.ClaimRequest;
import io.dedup.spi.ClaimResult;
import io.dedup.spi.Completion;
import io.dedup.spi.DedupStore;
import io.dedup.spi.WriteResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Generates and runs one history: several workers, each with its own random stream drawn from the seed, issue
 * claims, batches, completions, renewals, releases, finds and time steps on a few keys of a fresh namespace, and
 * every call is recorded with its order and its store-clock window. The same seed gives every worker the same
 * choices; the interleaving of real threads is not replayed, so a replay may need a few runs.
 */
final class HistoryRunner {
    /**
     * Half the claims carry no fingerprint, the rest one of two: enough to produce conflicts and to check that a claim
     * without a fingerprint never conflicts.
     */
    private static final List<Optional<String>> FINGERPRINTS =
            List.of(Optional.empty(), Optional.empty(), Optional.of("f1"), Optional.of("f2"));

    /** The store under test, fresh for this history. */
    private final DedupStore store;
    /** How the workers read and move the store's time. */
    private final CheckerTime time;
    /** Leases, retention, pauses and sizes of the history. */
    private final CheckerSettings settings;
    /** The history's seed; each worker's random stream derives from it. */
    private final long seed;
    /** Few keys on purpose: contention on one key is where stores go wrong, and a few keys give many per-key steps. */
    private final List<DedupKey> keys = new ArrayList<>();
    /**
     * The global sequence that orders call starts and ends: a call that ended before another started surely preceded it.
     */
    private final AtomicLong order = new AtomicLong();

    /** Numbers the calls for the report. */
    private final AtomicLong callIds = new AtomicLong();
    /** Every completion writes a body no other writes, so a duplicate's outcome names the completion it came from. */
    private final AtomicLong bodyIds = new AtomicLong();
    /** Every started call; appended by the workers, read by the watchdog loop in {@link #run()} while they run. */
    private final List<HistoryCall> calls = new CopyOnWriteArrayList<>();
    /** Every token acquired per key, for workers that write with another worker's (usually stale) token. */
    private final ConcurrentHashMap<DedupKey, List<Long>> seenTokens = new ConcurrentHashMap<>();

    /**
     * A runner on {@code store} that will generate the history of {@code seed} on {@code settings.keys()} keys of
     * {@code namespace}, which no other history uses.
     */
    HistoryRunner(DedupStore store, CheckerTime time, CheckerSettings settings, long seed, String namespace) {
        this.store = store;
        this.time = time;
        this.settings = settings;
        this.seed = seed;
        for (int i = 0; i < settings.keys(); i++) {
            keys.add(DedupKey.of(namespace, "k" + i));
            seenTokens.put(keys.get(i), new CopyOnWriteArrayList<>());
        }
    }

    /** Runs the workers; returns early (with the hung call unfinished) if a call outlives the call timeout. */
    History run() throws InterruptedException {
        // the history's zero: every printed time is relative to it
        long base = time.now();
        ExecutorService pool = Executors.newFixedThreadPool(settings.workers(), r -> {
            Thread t = new Thread(r, "checker-worker");
            t.setDaemon(true); // a deadlocked store call must not keep the JVM alive
            return t;
        });
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int w = 0; w < settings.workers(); w++) {
                int worker = w;
                workers.add(pool.submit(() -> work(worker, new Random(seed * 1_000_003L + worker))));
            }
            // watch the workers: a call that outlives the timeout ends the history as hung, rather than the test
            // hanging on it (the daemon workers are abandoned, and the hung call is reported)
            long timeoutNanos = settings.callTimeout().toNanos();
            while (!workers.stream().allMatch(Future::isDone)) {
                long now = System.nanoTime();
                if (calls.stream().anyMatch(c -> !c.finished() && now - c.startNanos > timeoutNanos)) {
                    break;
                }
                for (Future<?> worker : workers) {
                    if (!worker.isDone()) {
                        try {
                            worker.get(20, TimeUnit.MILLISECONDS);
                        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
                            // polled again below; a worker's own failure is a recorded call error
                        }
                        break;
                    }
                }
            }
        } finally {
            pool.shutdownNow();
        }
        // calls were appended as they started on several threads; the judge wants them in start order
        List<HistoryCall> ordered = new ArrayList<>(calls);
        ordered.sort((a, b) -> Long.compare(a.startSeq, b.startSeq));
        return new History(seed, store.describe(), settings, base, Collections.unmodifiableList(ordered));
    }

    /**
     * One worker's calls. The mix leans to claims and completions (where the guarantees live) and keeps a share of time
     * steps, renewals, releases and finds so that leases lapse, tokens go stale and every kind of answer is judged.
     */
    private void work(int worker, Random random) {
        List<Claim> held = new ArrayList<>();
        for (int i = 0; i < settings.callsPerWorker(); i++) {
            int dice = random.nextInt(100);
            if (dice < 12) {
                time.pass(Duration.ofMillis(
                        1 + random.nextInt((int) settings.longestPause().toMillis())));
            } else if (dice < 30) {
                claim(worker, random, held, 1, false);
            } else if (dice < 45) {
                claim(worker, random, held, 2 + random.nextInt(4), true);
            } else if (dice < 60) {
                complete(worker, random, held, 1, false);
            } else if (dice < 68) {
                complete(worker, random, held, 1 + random.nextInt(3), true);
            } else if (dice < 76) {
                write(worker, random, held, HistoryCall.Kind.RENEW);
            } else if (dice < 84) {
                write(worker, random, held, HistoryCall.Kind.RELEASE);
            } else {
                find(worker, random);
            }
        }
    }

    private DedupKey anyKey(Random random) {
        return keys.get(random.nextInt(keys.size()));
    }

    /** A claim or a batch claim of {@code count} keys; acquired claims are kept as this worker's holdings. */
    private void claim(int worker, Random random, List<Claim> held, int count, boolean batch) {
        HistoryCall call = newCall(worker, batch ? HistoryCall.Kind.CLAIM_ALL : HistoryCall.Kind.CLAIM);
        List<ClaimRequest> requests = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            // a repeated key in one batch is common: half of the later elements reuse an earlier key
            DedupKey key = i > 0 && random.nextBoolean()
                    ? requests.get(random.nextInt(i)).key()
                    : anyKey(random);
            Optional<String> fingerprint = FINGERPRINTS.get(random.nextInt(FINGERPRINTS.size()));
            requests.add(new ClaimRequest(key, settings.lease(), settings.retention(), fingerprint));
            call.steps.add(new HistoryCall.Step(call, i, key, fingerprint, 0, 0));
        }
        start(call);
        try {
            List<ClaimResult> results = batch ? store.claimAll(requests) : List.of(store.claim(requests.get(0)));
            // an answer of the wrong length cannot be judged per element: it is a fault in itself
            if (results.size() != requests.size()) {
                throw new IllegalStateException(
                        "claimAll answered " + results.size() + " results for " + requests.size() + " requests");
            }
            for (int i = 0; i < results.size(); i++) {
                call.steps.get(i).result = results.get(i);
                if (results.get(i) instanceof ClaimResult.Acquired a) {
                    held.add(a.claim());
                    seenTokens.get(a.claim().key()).add(a.claim().token());
                }
            }
        } catch (RuntimeException | Error e) {
            call.error = e;
        }
        end(call);
    }

    /** A claim this worker holds (usually) or another token seen for some key (usually stale). */
    private Claim target(Random random, List<Claim> held, boolean take) {
        // four times in five a claim this worker holds (mostly still current), else a token seen anywhere
        if (!held.isEmpty() && random.nextInt(5) > 0) {
            int i = random.nextInt(held.size());
            return take ? held.remove(i) : held.get(i);
        }
        DedupKey key = anyKey(random);
        List<Long> tokens = seenTokens.get(key);
        if (tokens.isEmpty()) {
            return null;
        }
        long token = tokens.get(random.nextInt(tokens.size()));
        // only key and token matter to a write; the attempt and lease end of a foreign claim are unknown here
        return new Claim(key, token, 1, java.time.Instant.EPOCH);
    }

    /** A completion or a batch of completions, each with a body no other completion writes. */
    private void complete(int worker, Random random, List<Claim> held, int count, boolean batch) {
        HistoryCall call = newCall(worker, batch ? HistoryCall.Kind.COMPLETE_ALL : HistoryCall.Kind.COMPLETE);
        List<Completion> completions = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Claim claim = target(random, held, true);
            if (claim == null) {
                break;
            }
            long bodyId = bodyIds.incrementAndGet();
            completions.add(new Completion(
                    claim.key(), claim.token(), OutcomeStatus.SUCCEEDED, History.body(bodyId), settings.retention()));
            call.steps.add(new HistoryCall.Step(call, i, claim.key(), Optional.empty(), claim.token(), bodyId));
        }
        if (completions.isEmpty()) {
            return;
        }
        start(call);
        try {
            List<WriteResult> results =
                    batch ? store.completeAll(completions) : List.of(store.complete(completions.get(0)));
            if (results.size() != completions.size()) {
                throw new IllegalStateException("completeAll answered " + results.size() + " results for "
                        + completions.size() + " completions");
            }
            for (int i = 0; i < results.size(); i++) {
                call.steps.get(i).result = results.get(i);
            }
        } catch (RuntimeException | Error e) {
            call.error = e;
        }
        end(call);
    }

    /**
     * A renewal or a release of a held claim (usually) or of a token seen elsewhere (usually stale: must be fenced).
     */
    private void write(int worker, Random random, List<Claim> held, HistoryCall.Kind kind) {
        Claim claim = target(random, held, kind == HistoryCall.Kind.RELEASE);
        if (claim == null) {
            return;
        }
        HistoryCall call = newCall(worker, kind);
        call.steps.add(new HistoryCall.Step(call, 0, claim.key(), Optional.empty(), claim.token(), 0));
        start(call);
        try {
            call.steps.get(0).result = kind == HistoryCall.Kind.RENEW
                    ? store.renew(claim.key(), claim.token(), settings.lease())
                    : store.release(claim.key(), claim.token(), settings.retention());
        } catch (RuntimeException | Error e) {
            call.error = e;
        }
        end(call);
    }

    /** A find of any key; the judge checks what it shows against the model. */
    private void find(int worker, Random random) {
        HistoryCall call = newCall(worker, HistoryCall.Kind.FIND);
        DedupKey key = anyKey(random);
        call.steps.add(new HistoryCall.Step(call, 0, key, Optional.empty(), 0, 0));
        start(call);
        try {
            call.steps.get(0).result = store.find(key);
        } catch (RuntimeException | Error e) {
            call.error = e;
        }
        end(call);
    }

    /** A call not yet started; its steps are added before {@link #start}, so the judge never sees half a call. */
    private HistoryCall newCall(int worker, HistoryCall.Kind kind) {
        return new HistoryCall(callIds.incrementAndGet(), worker, kind, new ArrayList<>());
    }

    // the clock is read before the sequence is taken and after it ends: the windows can only be wider than the truth
    private void start(HistoryCall call) {
        call.startNanos = System.nanoTime();
        call.startMillis = time.now();
        call.startSeq = order.incrementAndGet();
        calls.add(call);
    }

    /** Marks the end of {@code call}: its order number first, then the store clock, so the window covers the call. */
    private void end(HistoryCall call) {
        call.endSeq = order.incrementAndGet();
        call.endMillis = time.now();
    }
}
