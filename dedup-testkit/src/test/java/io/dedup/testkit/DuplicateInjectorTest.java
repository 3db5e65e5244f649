package io.dedup.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dedup.DedupConsumer;
import io.dedup.DedupKey;
import io.dedup.memory.InMemoryDedupStore;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class DuplicateInjectorTest {
    record Order(String id) {}

    @Test
    void a_deduplicated_handler_runs_once_per_key_under_concurrent_duplicates() throws Exception {
        List<Order> orders =
                IntStream.range(0, 300).mapToObj(i -> new Order("o-" + i)).toList();
        try (DedupConsumer<Order> dedup = DedupConsumer.<Order>builder(o -> Optional.of(o.id()))
                .store(InMemoryDedupStore.create())
                .namespace("orders")
                .build()) {
            DuplicateInjector.Report report =
                    DuplicateInjector.of(dedup).copies(1, 5).threads(8).run(orders, o -> Thread.yield());
            report.assertEachKeyRanOnce();
            assertThat(report.executions()).isEqualTo(300);
            assertThat(report.deliveries()).isGreaterThan(300);
            assertThat(report.duplicatesSuppressed() + report.executions()).isEqualTo(report.deliveries());
        }
    }

    @Test
    void the_assertion_names_keys_that_ran_twice() {
        DuplicateInjector.Report report = new DuplicateInjector.Report(
                3, 2, Map.of(DedupKey.of("ns", "a"), 2, DedupKey.of("ns", "b"), 1), 0, 0, 0, 0);
        assertThatThrownBy(report::assertEachKeyRanOnce)
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("ns/a ran 2 times");
    }

    @Test
    void the_assertion_notices_messages_that_never_ran() {
        DuplicateInjector.Report report =
                new DuplicateInjector.Report(2, 2, Map.of(DedupKey.of("ns", "a"), 1), 1, 0, 0, 0);
        assertThatThrownBy(report::assertEachKeyRanOnce).hasMessageContaining("only 1 of 2");
    }
}
