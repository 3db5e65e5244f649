package io.dedup.bench.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
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
        // 50 ms of this thread's own CPU time, however long a busy machine takes to give it: the process's includes it
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        boolean threadCpu = threads.isCurrentThreadCpuTimeSupported() && threads.isThreadCpuTimeEnabled();
        long spun = 0;
        if (threadCpu) {
            long end = threads.getCurrentThreadCpuTime() + 50_000_000L;
            while (threads.getCurrentThreadCpuTime() < end) {
                spun++;
            }
        }
        System.gc();
        JvmWork done = JvmWork.now().since(start);
        assertThat(done.jitMs()).isNotNegative();
        assertThat(done.gcMs()).isNotNegative();
        boolean processCpu =
                ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                        && os.getProcessCpuTime() >= 0;
        if (threadCpu && processCpu) { // the platform reports both (HotSpot on Linux does)
            assertThat(spun).isPositive();
            assertThat(done.cpuNanos()).isGreaterThanOrEqualTo(50_000_000L);
        }
    }
}
