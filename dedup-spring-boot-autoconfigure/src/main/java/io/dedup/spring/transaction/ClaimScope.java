package io.dedup.spring.transaction;

import io.dedup.ClaimedBatch;
import io.dedup.DedupConsumer;
import io.dedup.DedupResult;
import java.util.List;

/**
 * How the starter's listener integrations claim a delivery's messages: leased (the store on its own), or inside the
 * listener's Spring-managed database transaction. Either way one claim round trip covers the whole list. Used by the
 * Kafka and RabbitMQ integrations of the starter; applications do not need it.
 *
 * <p>Implementations are thread-safe.
 */
public interface ClaimScope {
    /**
     * Claims {@code messages}, lets {@code work} run the listener for the entries that may run, and settles the
     * batch. The answer carries {@code work}'s value and one result per message.
     */
    <M, T> Settled<T> claim(DedupConsumer<M> dedup, List<M> messages, Work<M, T> work);

    /** Whether a failure of one message undoes the others' work (they share one transaction). */
    boolean sharesTransaction();

    /** The caller's work inside the claim. */
    @FunctionalInterface
    interface Work<M, T> {
        T run(ClaimedBatch<M> batch);
    }

    /** What {@link #claim} answers: the work's value and one result per message. */
    record Settled<T>(T value, List<DedupResult<?>> results) {}

    /** Leased mode: completions are recorded when the batch closes, after the listener returned. */
    ClaimScope LEASED = new ClaimScope() {
        @Override
        public <M, T> Settled<T> claim(DedupConsumer<M> dedup, List<M> messages, Work<M, T> work) {
            ClaimedBatch<M> batch = dedup.claimAll(messages);
            T value;
            try (batch) {
                value = work.run(batch);
            }
            return new Settled<>(value, batch.results());
        }

        @Override
        public boolean sharesTransaction() {
            return false;
        }
    };
}
