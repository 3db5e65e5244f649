package io.dedup.bench.e2e;

import io.dedup.testkit.LocalServices;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Base of the tests that need the harness's services against the real local Redis and PostgreSQL (no Kafka: the
 * bootstrap address is a closed port); one {@link BenchServices} per test class, closed after it.
 */
abstract class LocalBenchServices {
    static BenchServices services;

    @BeforeAll
    static void openServices() {
        services = new BenchServices("127.0.0.1:1", LocalServices.redis(), LocalServices.postgres());
    }

    @AfterAll
    static void closeServices() {
        services.close();
    }

    /** A run of its own (a fresh run id) over a no-op workload of {@code messages} records, on no topic. */
    static ArmRun newRun(int messages) {
        Workload workload = new Workload(Workload.Duplicates.NONE, Workload.HandlerKind.NOOP, messages);
        return new ArmRun(
                "t" + Long.toString(System.nanoTime(), 36),
                workload,
                "unused",
                BenchHandler.noop(16),
                services,
                Duration.ofSeconds(5));
    }
}
