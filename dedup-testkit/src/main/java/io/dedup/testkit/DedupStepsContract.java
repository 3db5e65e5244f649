package io.dedup.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dedup.ClaimedBatch;
import io.dedup.DedupConsumer;
import io.dedup.DedupResult;
import io.dedup.DedupSettings;
import io.dedup.OutcomeCodecs;
import io.dedup.spi.DedupStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Checkpointed steps ({@link io.dedup.Steps}) on a real store: a worker with three steps (charge, reserve, ship) is
 * killed with SIGKILL in a child JVM after its first step, after its second, and inside its second; the re-run in
 * this JVM repeats only the step the worker was in. And a stale worker, whose lease was taken over while it stalled,
 * neither starts nor records a step. A store module runs it with a small subclass naming a {@link StoreFactory}.
 *
 * <p>The store's own clock judges the leases (2 s here); nothing waits a fixed time.
 */
public abstract class DedupStepsContract {
    /** The lease of every worker here: short, so a dead worker's key is taken over in seconds. */
    static final Duration LEASE = Duration.ofSeconds(2);

    /**
     * How long a test waits for a child or a takeover before it fails; generous, since a loaded CI machine starts JVMs slowly.
     */
    private static final Duration WAIT = Duration.ofSeconds(60);

    /**
     * Creates the store under test in this JVM and in the child: a public class with a public no-argument
     * constructor. Calls with the same scope must reach the same records (the same key prefix, the same table).
     */
    public interface StoreFactory {
        /** A store whose records live under {@code scope}; a fresh instance per call, closed by the caller. */
        DedupStore create(String scope);
    }

    /** The store's factory. */
    protected abstract Class<? extends StoreFactory> storeFactory();

    /** Deletes what a test wrote under {@code scope} (keys under a prefix, a table). */
    protected abstract void cleanUp(String scope) throws Exception;

    @TempDir
    Path directory;

    /**
     * The scope of this test's records (a key prefix or a table), unique per test so that tests never share records.
     */
    private String scope;

    /** The store this JVM's workers use; the child opens its own on the same scope. */
    private DedupStore store;
    /** The in-JVM workers of the stale-worker cases; shut down and awaited after each test. */
    private final ExecutorService threads = Executors.newCachedThreadPool();
    /** Lets a stalled worker go on; opened after each test too, so no worker stays parked. */
    private final CountDownLatch resume = new CountDownLatch(1);
    /** Child JVMs this test started; killed after it, whether it passed or not. */
    private final List<Process> children = new ArrayList<>();

    /** Opens the store on a fresh scope; the factory is instantiated as the child will instantiate it. */
    @BeforeEach
    void openStore() throws ReflectiveOperationException {
        scope = "dedup_steps_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        store = factory().create(scope);
    }

    /** Frees stalled workers, kills children, closes the store, and deletes the scope's records even if that failed. */
    @AfterEach
    void closeStore() throws Exception {
        resume.countDown();
        threads.shutdown();
        for (Process child : children) {
            child.destroyForcibly();
        }
        try {
            assertThat(threads.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
            store.close();
        } finally {
            cleanUp(scope);
        }
    }

    /** A new instance of the subclass's factory, by its public no-argument constructor, as the child JVM makes one. */
    private StoreFactory factory() throws ReflectiveOperationException {
        return storeFactory().getConstructor().newInstance();
    }

    /** A key no other test (or earlier run on a shared store) used. */
    private static String newKey() {
        return "order-" + UUID.randomUUID();
    }

    /** The effect lines a worker appended to {@code file}, in order; none if it never wrote. */
    private List<String> effects(Path file) throws IOException {
        return Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : List.of();
    }

    // ------------------------------------------------------------------ SIGKILL

    /**
     * A child worker is SIGKILLed at {@code point}; the re-run here must repeat only the step without a record (the one
     * the worker was inside, or none), never a recorded one.
     */
    @ParameterizedTest(name = "killed {0}")
    @ValueSource(strings = {"after-1", "after-2", "inside-2"})
    void a_worker_killed_with_sigkill_is_followed_by_a_rerun_of_only_the_remaining_steps(String point)
            throws Exception {
        String key = newKey();
        Path effects = directory.resolve("effects-" + point + ".txt");
        killedAt(point, key, effects);
        List<String> atKill =
                switch (point) {
                    case "after-1" -> List.of("child:charge");
                    default -> List.of("child:charge", "child:reserve");
                };
        assertThat(effects(effects))
                .as("the child's effects when it was killed")
                .isEqualTo(atKill);

        // the dead child's lease must lapse by the store's clock before the re-run can take the key over
        String result = processWhenFree(key, new StepsCrashChild("parent", effects));

        assertThat(result).as("the charge's recorded result, replayed").isEqualTo("ch-child/sh-parent");
        List<String> expected =
                switch (point) {
                    case "after-1" -> List.of("child:charge", "parent:reserve", "parent:ship");
                    case "after-2" -> List.of("child:charge", "child:reserve", "parent:ship");
                    default -> List.of("child:charge", "child:reserve", "parent:reserve", "parent:ship");
                };
        assertThat(effects(effects))
                .as("steps recorded before the kill are not repeated; one the child was inside is, once")
                .isEqualTo(expected);

        // and once the key is completed, nothing runs for it again (G2 holds for steps too)
        try (DedupConsumer<String> again = StepsCrashChild.consumer(store, LEASE, 0)) {
            assertThat(again.process(key, new StepsCrashChild("late", effects).handler(), OutcomeCodecs.utf8(), true))
                    .as("a completed key runs no step again")
                    .isInstanceOf(DedupResult.Duplicate.class);
        }
        assertThat(effects(effects)).isEqualTo(expected);
    }

    /** Starts a child that processes {@code key} and stops at {@code point}, then kills it with SIGKILL. */
    private void killedAt(String point, String key, Path effects) throws Exception {
        List<String> command = ChildJvm.command(
                "128m",
                List.of(),
                StepsCrashChild.class,
                List.of(storeFactory().getName(), scope, key, effects.toString(), point));
        Path log = directory.resolve("child-" + point + ".log");
        Process child = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        children.add(child);
        // read the child's stdout off this thread, so a child that never prints cannot block the test past WAIT
        CompletableFuture<String> stopped = CompletableFuture.supplyAsync(() -> {
            try (BufferedReader out =
                    new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) {
                    if (line.startsWith(StepsCrashChild.STOPPED)) {
                        return line;
                    }
                }
                return null;
            } catch (IOException e) {
                return null;
            }
        });
        String line;
        try {
            line = stopped.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        } finally {
            child.destroyForcibly(); // SIGKILL on Unix
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(line)
                .as("the child's stop line; its stderr:%n%s", Files.exists(log) ? Files.readString(log) : "")
                .isEqualTo(StepsCrashChild.STOPPED + " " + point);
    }

    /** Processes {@code key} once the dead worker's lease lapsed by the store's clock; the handler's result. */
    private String processWhenFree(String key, StepsCrashChild worker) {
        try (DedupConsumer<String> dedup =
                StepsCrashChild.consumer(store, LEASE, DedupSettings.DEFAULT_RENEW_FRACTION)) {
            AtomicReference<DedupResult<String>> done = new AtomicReference<>();
            await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> {
                DedupResult<String> result = dedup.process(key, worker.handler(), OutcomeCodecs.utf8(), true);
                // still held by the dead child until its lease lapses by the store's clock: ask again
                if (result instanceof DedupResult.InProgress<?>) {
                    return false;
                }
                done.set(result);
                return true;
            });
            assertThat(done.get()).isInstanceOf(DedupResult.Processed.class);
            return ((DedupResult.Processed<String>) done.get()).result();
        }
    }

    // ------------------------------------------------------------------ stale workers

    /**
     * A worker that stalled past its lease between steps must not start its next step once B holds the key (G4 for steps).
     */
    @Test
    void a_stale_worker_neither_starts_nor_records_a_step_after_a_takeover() throws Exception {
        staleWorker("after-1", List.of("A:charge"), List.of("A:charge", "B:reserve", "B:ship"));
    }

    /**
     * A worker that stalled inside a step may finish its side effect, but its record is fenced: B runs that step again.
     */
    @Test
    void a_stale_worker_that_finishes_a_step_after_a_takeover_does_not_record_it() throws Exception {
        staleWorker(
                "inside-2", List.of("A:charge", "A:reserve"), List.of("A:charge", "A:reserve", "B:reserve", "B:ship"));
    }

    /**
     * Worker A stalls at {@code point} without renewing its lease; B takes the key over; A wakes up while B holds it
     * and has not run the rest; then B runs.
     */
    private void staleWorker(String point, List<String> afterA, List<String> afterB) throws Exception {
        String key = newKey();
        Path effects = directory.resolve("effects.txt");
        CountDownLatch reached = new CountDownLatch(1);
        StepsCrashChild a = new StepsCrashChild("A", effects, point, reached::countDown, resume);
        // renewal off (fraction 0) for both: A's lease must lapse while it stalls, as a frozen process's would
        try (DedupConsumer<String> consumerA = StepsCrashChild.consumer(store, LEASE, 0);
                DedupConsumer<String> consumerB = StepsCrashChild.consumer(store, LEASE, 0)) {
            Future<DedupResult<String>> stale =
                    threads.submit(() -> consumerA.process(key, a.handler(), OutcomeCodecs.utf8(), true));
            assertThat(reached.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();

            // B claims until the store, by its own clock, lets it take the key over
            AtomicReference<ClaimedBatch<String>> taken = new AtomicReference<>();
            await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> {
                ClaimedBatch<String> batch = consumerB.claimAll(List.of(key));
                if (batch.entries().get(0).mayRun()) {
                    taken.set(batch);
                    return true;
                }
                batch.close();
                return false;
            });
            try (ClaimedBatch<String> batch = taken.get()) {
                // A wakes while B holds the key: whatever A does now must be fenced
                resume.countDown();
                assertThat(stale.get(WAIT.toSeconds(), TimeUnit.SECONDS))
                        .as("the stale worker's result")
                        .isInstanceOf(DedupResult.Fenced.class);
                assertThat(effects(effects)).as("the stale worker's effects").isEqualTo(afterA);

                // B's result joins A's recorded charge with its own shipment: only the unrecorded steps ran again
                ClaimedBatch.Entry<String> entry = batch.entries().get(0);
                batch.run(entry, new StepsCrashChild("B", effects).handler(), OutcomeCodecs.utf8());
                batch.complete();
                assertThat(entry.result()).isInstanceOf(DedupResult.Processed.class);
                assertThat(((DedupResult.Processed<?>) entry.result()).result()).isEqualTo("ch-A/sh-B");
            }
        }
        assertThat(effects(effects)).isEqualTo(afterB);
    }
}
