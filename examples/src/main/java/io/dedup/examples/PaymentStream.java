package io.dedup.examples;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The payments a demo run sends, and which of them a producer sends twice: the send timed out waiting for the
 * broker's acknowledgement, so the application sent the same record again, while the first copy had in fact been
 * written. Deterministic for a seed. Immutable.
 */
final class PaymentStream {
    /** Percent of payments the producer sends twice. */
    private static final int RETRY_PERCENT = 10;

    /** Every distinct payment, in order. */
    private final List<Payment> payments;
    /** What the producer sends: every payment, some twice where a send was retried. */
    private final List<Payment> sends;

    /** A stream of {@code payments}, sent as {@code sends}. */
    private PaymentStream(List<Payment> payments, List<Payment> sends) {
        this.payments = payments;
        this.sends = sends;
    }

    /**
     * {@code count} payments and their sends; the same {@code seed} gives the same stream, so runs can be compared.
     *
     * @throws IllegalArgumentException if {@code count} is below 1
     */
    static PaymentStream generate(int count, long seed) {
        if (count < 1) {
            throw new IllegalArgumentException("count must be at least 1, got " + count);
        }
        // accounts and amounts vary so the ledger's totals would show a double charge; the seed makes them repeatable
        Random random = new Random(seed);
        List<Payment> payments = new ArrayList<>(count);
        List<Payment> sends = new ArrayList<>(count + count / 8);
        for (int i = 0; i < count; i++) {
            Payment payment = new Payment(
                    String.format("pay-%06d", i),
                    String.format("acct-%03d", random.nextInt(200)),
                    100 + random.nextInt(99_900));
            payments.add(payment);
            sends.add(payment);
            // a retried send follows its original at once, as a producer resending after a lost acknowledgement
            if (random.nextInt(100) < RETRY_PERCENT) {
                sends.add(payment);
            }
        }
        return new PaymentStream(Collections.unmodifiableList(payments), Collections.unmodifiableList(sends));
    }

    /** Every payment once. */
    List<Payment> payments() {
        return payments;
    }

    /** What the producer sends, in order: every payment, and right after some of them the same payment again. */
    List<Payment> sends() {
        return sends;
    }

    int retries() {
        return sends.size() - payments.size();
    }

    /** The ids of every distinct payment: what must be charged exactly once. */
    List<String> paymentIds() {
        return payments.stream().map(Payment::paymentId).toList();
    }
}
