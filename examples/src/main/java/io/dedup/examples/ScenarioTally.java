package io.dedup.examples;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.atomic.LongAdder;

/**
 * What a scenario counts while it runs, the same way whatever carries the payments: the payment messages its
 * consumers were handed, the charges its handler made, and the duplicates dedup suppressed. The per-second line and
 * the report read these same counts. Thread-safe: every worker adds to one tally.
 *
 * @param ledger every charge made, by payment: the ground truth the report checks exactly-once against
 * @param deliveries payment messages handed to any worker, redeliveries included, counted below the dedup layer
 * @param registry the registry to hand to dedup's builders; duplicates are read from the library's own meter
 */
record ScenarioTally(PaymentLedger ledger, LongAdder deliveries, SimpleMeterRegistry registry) {
    /** A tally at zero. */
    ScenarioTally() {
        this(new PaymentLedger(), new LongAdder(), new SimpleMeterRegistry());
    }

    /** Has the per-second line of {@code progress} show this tally. */
    void track(Progress progress) {
        progress.track(deliveries::sum, ledger::executions, this::duplicates);
    }

    /**
     * Deliveries dedup answered as duplicates of a completed key, from its Micrometer meters ({@code
     * dedup.messages{result}}): the report's duplicate count is dedup's own verdict rather than arithmetic on other
     * numbers.
     */
    long duplicates() {
        // summed over every counter with that tag, whatever its other tags: each worker adds to the same verdict
        return (long) registry.find("dedup.messages").tag("result", "duplicate").counters().stream()
                .mapToDouble(Counter::count)
                .sum();
    }
}
