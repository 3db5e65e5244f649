package io.dedup.examples.payments;

import io.dedup.examples.Payment;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Stands in for a card processor: charging is the side effect that must happen once per payment. It declines
 * payments whose amount is not positive, every time they are tried. Records every charge so that the example can show
 * what happened. Thread-safe.
 */
public final class PaymentGateway {
    /** Charges per payment id, counted so the example can show that none was charged twice. */
    private final Map<String, AtomicInteger> charges = new ConcurrentHashMap<>();

    /**
     * Charges {@code payment}.
     *
     * @throws PaymentDeclinedException if the amount is not positive
     */
    public void charge(Payment payment) {
        if (payment.amountCents() <= 0) {
            throw new PaymentDeclinedException(
                    payment.paymentId(), "amount must be positive, got " + payment.amountCents());
        }
        charges.computeIfAbsent(payment.paymentId(), id -> new AtomicInteger()).incrementAndGet();
    }

    /** How many times each payment was charged. */
    public Map<String, Integer> charges() {
        Map<String, Integer> copy = new java.util.TreeMap<>();
        charges.forEach((id, count) -> copy.put(id, count.get()));
        return copy;
    }

    /** Thrown when the processor declines a payment; the runner retries it, then dead-letters it. */
    public static final class PaymentDeclinedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        /** A decline of payment {@code paymentId} for {@code reason}. */
        public PaymentDeclinedException(String paymentId, String reason) {
            super("payment " + paymentId + " declined: " + reason);
        }
    }
}
