package io.dedup.bench.e2e;

import io.dedup.testkit.LocalServices;
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
}
