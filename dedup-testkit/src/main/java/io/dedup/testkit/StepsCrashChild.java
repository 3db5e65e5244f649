package io.dedup.testkit;

import io.dedup.DedupConsumer;
import io.dedup.DedupResult;
import io.dedup.DedupSettings;
import io.dedup.KeyExtractor;
import io.dedup.OutcomeCodecs;
import io.dedup.ResultHandler;
import io.dedup.Steps;
import io.dedup.spi.DedupStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * The worker of {@link DedupStepsContract}: a handler of three steps (charge, reserve, ship), each appending
 * {@code worker:step} to an effects file. Run as a child JVM it stops at a chosen point (after a step was recorded,
 * or inside a step after its effect), says so on stdout and waits there for its SIGKILL, renewing its lease
 * meanwhile as a live worker would.
 *
 * <p>Arguments: the {@link DedupStepsContract.StoreFactory} class name, the store scope, the key, the effects file,
 * the stop point ({@code after-1}, {@code after-2}, {@code inside-2}).
 *
 * <p>Not thread-safe: the main class of a child JVM, run once.
 */
public final class StepsCrashChild {
    /** The line a child prints once it reached its stop point. */
    static final String STOPPED = "STOPPED";

    /** The namespace of every step key, in this JVM and in the child alike, so both reach the same records. */
    static final String NAMESPACE = "steps";

    /**
     * The worker's name in the effect lines ({@code child}, {@code A}, {@code B}), which tells the test who did what.
     */
    private final String worker;

    private final Path effects;
    /** Where the worker stops: {@code after-1}, {@code after-2}, {@code inside-2} or {@code none}. */
    private final String stopAt;
    /** Told when the stop point is reached: prints {@link #STOPPED} in a child, opens a latch in the test. */
    private final Runnable reached;

    private final CountDownLatch resume;

    /**
     * A worker appending {@code worker:step} lines to {@code effects}; at {@code stopAt} it runs {@code reached}, then
     * waits for {@code resume}.
     */
    StepsCrashChild(String worker, Path effects, String stopAt, Runnable reached, CountDownLatch resume) {
        this.worker = worker;
        this.effects = effects;
        this.stopAt = stopAt;
        this.reached = reached;
        this.resume = resume;
    }

    /** A worker that never stops. */
    StepsCrashChild(String worker, Path effects) {
        this(worker, effects, "none", () -> {}, new CountDownLatch(0));
    }

    /**
     * Runs the worker in a child JVM until it reaches its stop point, then waits there for its SIGKILL.
     *
     * @throws Exception if the factory cannot be instantiated or the store cannot be reached; the test then fails on
     *     the child's missing {@link #STOPPED} line, with its stderr
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 5) {
            System.err.println("usage: StepsCrashChild <factory class> <scope> <key> <effects file> <stop point>");
            System.exit(2);
        }
        DedupStepsContract.StoreFactory factory = (DedupStepsContract.StoreFactory)
                Class.forName(args[0]).getConstructor().newInstance();
        DedupStore store = factory.create(args[1]);
        // the child renews its lease while it waits, as a live worker would: only its death may free the key
        try (DedupConsumer<String> dedup =
                consumer(store, DedupStepsContract.LEASE, DedupSettings.DEFAULT_RENEW_FRACTION)) {
            StepsCrashChild child = new StepsCrashChild(
                    "child",
                    Path.of(args[3]),
                    args[4],
                    () -> {
                        System.out.println(STOPPED + " " + args[4]);
                        System.out.flush();
                    },
                    new CountDownLatch(1)); // waits for its SIGKILL
            // returns only if the stop point was never reached: a bug in the test, reported by exit code 3
            DedupResult<String> result = dedup.process(args[2], child.handler(), OutcomeCodecs.utf8(), true);
            System.err.println("the child was not stopped; it ended with " + result);
            System.exit(3);
        }
    }

    /**
     * A consumer whose messages are their own keys, in the namespace the parent and the child share, with the given
     * lease and renewal fraction (0: no renewal, so a stalled worker's lease lapses).
     */
    static DedupConsumer<String> consumer(DedupStore store, Duration lease, double renewFraction) {
        return DedupConsumer.builder((KeyExtractor<String>) Optional::of)
                .store(store)
                .namespace(NAMESPACE)
                .settings(DedupSettings.custom()
                        .lease(lease)
                        .leaseRenewalFraction(renewFraction)
                        .build())
                .build();
    }

    /** Three steps; the result joins the charge's id and the shipment's id, both from whoever recorded them. */
    ResultHandler<String, String> handler() {
        return key -> {
            String charge = Steps.run("charge", OutcomeCodecs.utf8(), () -> {
                effect("charge");
                return "ch-" + worker;
            });
            stopIf("after-1");
            Steps.run("reserve", () -> {
                effect("reserve");
                stopIf("inside-2");
            });
            stopIf("after-2");
            String shipment = Steps.run("ship", OutcomeCodecs.utf8(), () -> {
                effect("ship");
                return "sh-" + worker;
            });
            return charge + "/" + shipment;
        };
    }

    /** Appends the step's effect line, synced to disk, so a SIGKILL right after it cannot lose it. */
    private void effect(String step) {
        try {
            Files.writeString(
                    effects,
                    worker + ":" + step + "\n",
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND,
                    StandardOpenOption.SYNC);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Stops at {@code point} if it is the chosen one: tells {@link #reached}, then waits for the resume (or the kill).
     */
    private void stopIf(String point) throws InterruptedException {
        if (point.equals(stopAt)) {
            reached.run();
            resume.await();
        }
    }
}
