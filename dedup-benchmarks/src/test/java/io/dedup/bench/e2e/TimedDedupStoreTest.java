package io.dedup.bench.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dedup.DedupConsumer;
import io.dedup.DedupResult;
import io.dedup.DedupSettings;
import io.dedup.ResultHandler;
import io.dedup.memory.InMemoryDedupStore;
import io.dedup.spi.DedupStore;
import io.dedup.testkit.FaultInjectingStore;
import io.dedup.testkit.FaultInjectingStore.Operation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TimedDedupStoreTest {
    private final List<String> handled = new ArrayList<>();
    private final ResultHandler<String, Void> handler = ResultHandler.of(handled::add);

    private static DedupConsumer<String> dedupOver(DedupStore store) {
        return DedupConsumer.<String>builder(message -> Optional.of(message))
                .store(store)
                .settings(DedupSettings.custom().leaseRenewalFraction(0).build())
                .build();
    }

    @Test
    void follows_batches_like_the_camel_arms_are_followed() {
        StoreTimings timings = new StoreTimings();
        Progress progress = new Progress(6);
        TimedDedupStore timed = new TimedDedupStore(InMemoryDedupStore.create(), timings, progress);
        try (InBatchRepeats repeats = new InBatchRepeats(timed, progress);
                DedupConsumer<String> dedup = DedupConsumer.<String>builder(message -> Optional.of(message))
                        .store(timed)
                        .settings(DedupSettings.custom().leaseRenewalFraction(0).build())
                        .meterRegistry(repeats.registry())
                        .build()) {
            // a key repeated inside one batch is answered by core as a duplicate of its first: the store never sees
            // it (InBatchRepeats counts those from core's meter); the completions may be written in one or two calls
            List<DedupResult<Void>> first = dedup.processAll(List.of("a", "b", "a", "c"), handler);
            assertThat(first).hasSize(4);
            assertThat(first.get(2)).isInstanceOf(DedupResult.Duplicate.class);
            assertThat(timings.calls()).isBetween(2L, 3L);
            await().atMost(Duration.ofSeconds(10)).until(() -> progress.deliveredCount() == 4);
            long afterFirst = timings.calls();

            dedup.processAll(List.of("a", "d"), handler);
            assertThat(timings.calls()).isEqualTo(afterFirst + 2);
            await().atMost(Duration.ofSeconds(10)).until(() -> progress.deliveredCount() == 6);
        }

        assertThat(handled).containsExactly("a", "b", "c", "d");
        assertThat(progress.seconds()).isPositive();
        assertThat(timings.perMessage().count()).isEqualTo(5);
        assertThat(timings.perMessage().percentileMicros(0.5)).isPositive();
    }

    @Test
    void an_unbatched_store_answers_a_batch_with_one_call_per_key() {
        // the fault switches stay off: the store is there to count the calls it answers, per operation
        FaultInjectingStore counting = FaultInjectingStore.inMemory();
        try (DedupConsumer<String> dedup = dedupOver(new UnbatchedStore(counting))) {
            dedup.processAll(List.of("x", "y", "z"), handler);
            dedup.processAll(List.of("x", "w"), handler);
        }

        assertThat(handled).containsExactly("x", "y", "z", "w");
        assertThat(counting.calls(Operation.CLAIM)).isEqualTo(5);
        assertThat(counting.calls(Operation.COMPLETE)).isEqualTo(4);
        assertThat(counting.calls(Operation.CLAIM_ALL, Operation.COMPLETE_ALL)).isZero();
    }
}
