package io.dedup.bench.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

class JvmWorkTest {
    @Test
    void since_is_the_difference_of_two_readings() {
        assertThat(new JvmWork(1500, 80, 9000).since(new JvmWork(1000, 30, 4000)))
                .isEqualTo(new JvmWork(500, 50, 5000));
    }

    @Test
    void the_readings_come_from_this_jvm_and_never_go_back() {
        JvmWork start = JvmWork.now();
        // a JVM that reports compilation time has compiled something by the time a test runs
        if (ManagementFactory.getCompilationMXBean().isCompilationTimeMonitoringSupported()) {
            assertThat(start.jitMs()).isPositive();
        }
        long spin = 0;
        for (long end = System.nanoTime() + 50_000_000; System.nanoTime() < end; ) {
            spin++; // 50 ms of this thread's CPU
        }
        System.gc();
        JvmWork done = JvmWork.now().since(start);
        assertThat(spin).isPositive();
        assertThat(done.jitMs()).isNotNegative();
        assertThat(done.gcMs()).isNotNegative();
        if (start.cpuNanos() > 0) { // the platform reports process CPU time
            assertThat(done.cpuNanos()).isGreaterThanOrEqualTo(40_000_000L);
        }
    }
}
