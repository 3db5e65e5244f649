package io.dedup.bench.e2e;

/**
 * A reference arm without a dedup layer: nothing to create before a run and nothing to remove after it, so its
 * measurement is the broker, the client and the handler alone. Not thread-safe; one run at a time.
 */
abstract class StorelessArm extends NamedArm {
    StorelessArm(String name, String broker) {
        super(name, StoreKind.NONE, broker);
    }

    /** Nothing to set up: there is no store. */
    @Override
    public final void setUp(ArmRun run) {}

    /** Nothing to remove; a RabbitMQ arm's queue is the harness's to delete. */
    @Override
    public final void tearDown(ArmRun run) {}
}
