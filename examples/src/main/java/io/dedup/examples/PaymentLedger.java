package io.dedup.examples;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The demo's side effect: charging a payment. It counts every charge per payment, so that a payment charged twice
 * (what dedup prevents) or never (a lost message) shows in the report. Thread-safe: several workers charge at once.
 *
 * <p>In memory on purpose: the demo proves dedup's guarantee, so the ledger must be a plain, obviously correct
 * counter, not one more system that could itself lose or repeat a write.
 */
final class PaymentLedger {
    /** Charges per payment id: a value above 1 is a payment charged twice. */
    private final Map<String, AtomicInteger> charges = new ConcurrentHashMap<>();
    /** Every handler execution, the demo's "charges" count. */
    private final LongAdder executions = new LongAdder();

    /** Charges {@code payment}: one handler execution. */
    void charge(Payment payment) {
        // per payment and in total: the per-payment counts find double charges, the total is the report's figure
        charges.computeIfAbsent(payment.paymentId(), id -> new AtomicInteger()).incrementAndGet();
        executions.increment();
    }

    /** Handler executions so far. */
    long executions() {
        return executions.sum();
    }

    /** Payments charged at least once. */
    int charged() {
        return charges.size();
    }

    /** Payments charged more than once. */
    long chargedTwice() {
        return charges.values().stream().filter(c -> c.get() > 1).count();
    }

    /** How many of {@code paymentIds} were never charged. */
    long missing(Collection<String> paymentIds) {
        return paymentIds.stream().filter(id -> !charges.containsKey(id)).count();
    }
}
