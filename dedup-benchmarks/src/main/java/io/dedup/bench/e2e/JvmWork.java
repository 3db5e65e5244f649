package io.dedup.bench.e2e;

import java.lang.management.CompilationMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;

/**
 * What this JVM did besides the arm's own work, as read from its management beans: the JIT compilers' and the garbage
 * collectors' milliseconds and the process's CPU time. {@link #now()} before a run and {@link #since} after it give
 * the run's share.
 *
 * <p>Why the harness reports it: on a machine with two cores a C2 compilation of one of the runner's per-batch methods
 * takes half a second of a core, and a measurement during which the compiler is still at work measures the warm-up as
 * much as the arm. A run whose JIT milliseconds are a sizeable part of its seconds wants more records: a larger
 * {@code --warmup} does not help, since every measurement starts a new consumer and runner and the compiler with them.
 * The CPU time per message says what a run cost this JVM rather than how fast it went on a machine shared with the
 * broker; it includes the compiler's work (in runs of a million records, half of dedup-memory's and most of the
 * baseline's), so compare it between runs of the same length, and subtract {@code jitMs} to see the arm's own.
 *
 * <p>Immutable; thread-safe.
 *
 * @param jitMs the compilers' accumulated time (0 when the JVM does not report it)
 * @param gcMs the collectors' accumulated collection time, summed over collectors
 * @param cpuNanos this process's CPU time, all threads, the compiler's and GC's included (0 when not reported)
 */
record JvmWork(long jitMs, long gcMs, long cpuNanos) {
    /** The totals so far. */
    static JvmWork now() {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        long jitMs = jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : 0;
        long gcMs = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            gcMs += Math.max(0, gc.getCollectionTime()); // -1 when a collector does not report it
        }
        return new JvmWork(jitMs, gcMs, processCpuNanos());
    }

    /** The process's CPU time, from the JDK's own operating-system bean where the platform has it. */
    private static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return Math.max(0, os.getProcessCpuTime()); // -1 when the platform does not report it
        }
        return 0;
    }

    /** What was done between {@code start} and this reading. */
    JvmWork since(JvmWork start) {
        return new JvmWork(jitMs - start.jitMs, gcMs - start.gcMs, cpuNanos - start.cpuNanos);
    }
}
