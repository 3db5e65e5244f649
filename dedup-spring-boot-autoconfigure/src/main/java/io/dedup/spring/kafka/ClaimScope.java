package io.dedup.spring.kafka;

import io.dedup.ClaimedBatch;
import io.dedup.DedupConsumer;
import io.dedup.DedupResult;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * How a poll's records are claimed: leased (the store on its own), or inside the listener's Spring-managed database
 * transaction. Either way one claim round trip covers the whole list.
 */
interface ClaimScope {
    /**
     * Claims {@code records}, lets {@code work} run the listener for the entries that may run, and settles the batch.
     * The answer carries {@code work}'s value and one result per record.
     */
    <T> Settled<T> claim(DedupConsumer<ConsumerRecord<?, ?>> dedup, List<ConsumerRecord<?, ?>> records, Work<T> work);

    /** Whether a failure of one record undoes the others' work (they share one transaction). */
    boolean sharesTransaction();

    @FunctionalInterface
    interface Work<T> {
        T run(ClaimedBatch<ConsumerRecord<?, ?>> batch);
    }

    record Settled<T>(T value, List<DedupResult<?>> results) {}

    /** Leased mode: completions are recorded when the batch closes, after the listener returned. */
    ClaimScope LEASED = new ClaimScope() {
        @Override
        public <T> Settled<T> claim(
                DedupConsumer<ConsumerRecord<?, ?>> dedup, List<ConsumerRecord<?, ?>> records, Work<T> work) {
            ClaimedBatch<ConsumerRecord<?, ?>> batch = dedup.claimAll(records);
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
