package io.dedup.bench.e2e;

import io.dedup.DedupKey;
import io.dedup.OutcomeStatus;
import io.dedup.memory.InMemoryDedupStore;
import io.dedup.spi.ClaimRequest;
import io.dedup.spi.ClaimResult;
import io.dedup.spi.Completion;
import java.time.Duration;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The physical reference for {@code dedup-memory}: what the in-memory store itself costs per record, with no runner,
 * no claim batches, no lease renewal, no completion writer and no second thread. A plain poll loop that, per record,
 * asks the same {@link InMemoryDedupStore} the dedup arm uses for a claim, runs the handler if the key was acquired,
 * and records the completion, all on the polling thread; then {@code commitAsync} per poll, as the baseline. Same
 * lease and retention as the runner's defaults, so the store keeps every key of the run, as it does for the dedup
 * arm.
 *
 * <p>It is not a dedup layer a user should run (a crash between handler and completion leaves the key claimed until
 * its lease ends, and nothing renews a lease), but it bounds what any consumer on this store can reach on one thread:
 * the gap between {@code baseline} and this arm is what keeping and judging the keys costs; the gap between this arm
 * and {@code dedup-memory} is the runner, core's bookkeeping and the hand-offs between threads. Not thread-safe; one
 * run at a time.
 */
public final class MemoryCeilingArm extends NamedArm {
    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final Duration RETENTION = Duration.ofHours(24);
    private static final byte[] NO_BODY = new byte[0];

    /** The run's store: new per run, as the dedup arm's, so no run finds another's keys. */
    private InMemoryDedupStore store;

    /** The {@code memory-ceiling} arm. */
    public MemoryCeilingArm() {
        super("memory-ceiling", StoreKind.MEMORY, KAFKA);
    }

    @Override
    public void setUp(ArmRun run) {
        store = InMemoryDedupStore.create();
    }

    @Override
    public void consume(ArmRun run) throws Exception {
        Progress progress = run.progress();
        BenchHandler handler = run.handler();
        StoreTimings timings = run.storeTimings();
        String namespace = run.runId(); // as the dedup arm names its keys
        KafkaPollLoop.consume(run, records -> {
            for (ConsumerRecord<String, String> record : records) {
                String id = KafkaRecords.key(record);
                long start = System.nanoTime();
                ClaimResult claim = store.claim(ClaimRequest.of(DedupKey.of(namespace, id), LEASE, RETENTION));
                timings.call();
                long storeNanos = System.nanoTime() - start;
                if (claim instanceof ClaimResult.Acquired acquired) {
                    handler.handle(id, record.value());
                    start = System.nanoTime();
                    store.complete(new Completion(
                            acquired.claim().key(),
                            acquired.claim().token(),
                            OutcomeStatus.SUCCEEDED,
                            NO_BODY,
                            RETENTION));
                    timings.call();
                    storeNanos += System.nanoTime() - start;
                }
                timings.message(storeNanos);
                progress.delivered();
            }
        });
    }

    /** Drops the run's store and its keys. */
    @Override
    public void tearDown(ArmRun run) {
        store = null;
    }
}
