package io.dedup.bench.e2e;

import io.dedup.spi.DedupStore;
import java.util.Objects;

/**
 * An arm that runs this library's dedup over a store made fresh for each run: creates the store in {@link #setUp}
 * (tables and namespaces too, before the harness reads the store's call counter), wraps it in a {@link
 * TimedDedupStore} so the library's arms are timed and followed exactly like the Camel arms, and closes and cleans
 * it up in {@link #tearDown}, also after a failed run.
 *
 * <p>Not thread-safe; one run at a time.
 */
abstract class DedupStoreArm extends NamedArm {
    /** How this arm's store is made for a run and removed after it. */
    private final DedupStoreSetup setup;
    /** The run's store as created; closed in tearDown. */
    private DedupStore raw;
    /** The timing wrapper the dedup layer is given; null outside a run. */
    private TimedDedupStore timed;

    DedupStoreArm(String name, DedupStoreSetup setup, String broker) {
        super(name, setup.store(), broker);
        this.setup = setup;
    }

    /** What the timing wrapper sees of the raw store; the store itself unless an arm changes how it is called. */
    DedupStore beneathTiming(DedupStore raw) {
        return raw;
    }

    /**
     * Whether the timing wrapper passes the store's transactions through ({@link TimedDedupStore#withTransactions}):
     * only for an arm that runs the Kafka-to-database mode; the others must not have the choice.
     */
    boolean timesTransactions() {
        return false;
    }

    /**
     * The timed store of the current run, to hand to the dedup layer.
     *
     * @throws NullPointerException if {@link #setUp} did not run
     */
    final TimedDedupStore timedStore() {
        return Objects.requireNonNull(timed, "setUp did not run");
    }

    /** Creates the run's store and its timing wrapper. */
    @Override
    public final void setUp(ArmRun run) {
        raw = setup.create(run); // tables created here, before the harness reads the call counter
        DedupStore beneath = beneathTiming(raw);
        timed = timesTransactions()
                ? TimedDedupStore.withTransactions(beneath, run.storeTimings(), run.progress())
                : new TimedDedupStore(beneath, run);
    }

    /** Closes the store and removes what it kept, also when creating it failed. */
    @Override
    public final void tearDown(ArmRun run) throws Exception {
        DedupStore store = raw;
        raw = null;
        timed = null;
        try {
            if (store != null) {
                store.close();
            }
        } finally {
            setup.cleanUp(run, store);
        }
    }
}
