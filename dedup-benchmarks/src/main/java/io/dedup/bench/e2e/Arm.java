package io.dedup.bench.e2e;

/**
 * One way of consuming a workload's topic that the harness compares with the others: a dedup layer (or none) in
 * front of the same handler. The harness calls, for each measurement, {@link #setUp}, {@link #consume} and
 * {@link #tearDown} on one thread, in that order, with the same {@link ArmRun}; {@code tearDown} also runs when an
 * earlier step failed. An arm keeps nothing from one run to the next: every run starts with an empty store.
 *
 * <p>What an arm must do in {@link #consume}: read {@link ArmRun#topic()} from the beginning in consumer group
 * {@link ArmRun#groupId()} (a RabbitMQ arm: drain the queue of that name), pass each record through its dedup layer to {@link ArmRun#handler()}, report progress
 * to {@link ArmRun#progress()} ({@code started()} when its first record arrives, {@code delivered()} once per
 * record it is done with, handled or dropped as a duplicate), time its store calls into {@link
 * ArmRun#storeTimings()}, return once {@link Progress#awaitAll} says every record is done, and stop consuming
 * before it returns.
 *
 * <p>Why the progress and timings are the arm's to report: only the arm knows when a record entered its dedup layer
 * and when it was done with it. The store call counts, which decide the "calls per message" column, are not the
 * arm's to report: the harness reads them from the counted clients, so no arm can under-count itself.
 *
 * <p>Implementations are used by one thread at a time and need not be thread-safe themselves; what they hand to
 * other threads (a runner's loop, a channel's dispatch thread) must report to the run's thread-safe progress.
 */
public interface Arm {
    /** The arm's name in the results, for example {@code camel-redis}. */
    String name();

    /** Which store the dedup layer uses; decides how store calls are counted. */
    StoreKind store();

    /** The broker the arm reads from: {@code kafka} or {@code rabbitmq}. */
    String broker();

    /**
     * Whether this arm makes a store round trip per message (or is otherwise far slower than the others): it then
     * consumes a smaller topic of the same workload ({@code --slow-messages}), so that a full run ends in
     * reasonable time. Its figures are per second and per message and compare all the same; the row says how
     * many records it consumed.
     */
    default boolean slow() {
        return false;
    }

    /** Creates what this run needs (tables, namespaces, clients); the clock is not running yet. */
    void setUp(ArmRun run) throws Exception;

    /** Consumes the whole topic once; see the class comment. */
    void consume(ArmRun run) throws Exception;

    /** Stops what {@link #setUp} started and deletes what it created; must tolerate a failed setUp. */
    void tearDown(ArmRun run) throws Exception;
}
