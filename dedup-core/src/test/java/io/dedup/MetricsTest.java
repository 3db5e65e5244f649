package io.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import io.dedup.memory.InMemoryDedupStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;

class MetricsTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final TestStore store = new TestStore(InMemoryDedupStore.create());

    /** How many times the timer {@code name} with these tag keys and values ran (the first such timer found). */
    private long timed(String name, String... tags) {
        return registry.get(name).tags(tags).timer().count();
    }

    private double messages(String result) {
        return registry.get("dedup.messages")
                .tag("result", result)
                .tag("namespace", "payments")
                .tag("topic", "t1")
                .counter()
                .count();
    }

    @Test
    void every_result_is_counted_and_store_calls_and_handlers_are_timed() {
        try (DedupConsumer<Msg> dedup = DedupConsumer.builder(Msg.KEY)
                .store(store)
                .namespace("payments")
                .meterRegistry(registry)
                .metricTag("topic", "t1")
                .build()) {
            dedup.process(Msg.of("a"), m -> "ok");
            dedup.process(Msg.of("a"), m -> "ok");
            dedup.process(new Msg(null, "x"), m -> "ok");
            dedup.process(Msg.of("b"), m -> {
                throw new IllegalStateException("boom");
            });
            dedup.processAll(List.of(Msg.of("c"), Msg.of("d")), m -> "ok");
            store.claimsDown = true;
            dedup.process(Msg.of("e"), m -> "ok");

            assertThat(messages("processed")).isEqualTo(3);
            assertThat(messages("duplicate")).isEqualTo(1);
            assertThat(messages("no_key")).isEqualTo(1);
            assertThat(messages("failed")).isEqualTo(1);
            assertThat(messages("unavailable")).isEqualTo(1);
            assertThat(messages("in_progress")).isZero();
            assertThat(timed("dedup.store.calls", "operation", "claim", "outcome", "success"))
                    .isEqualTo(3);
            assertThat(timed("dedup.store.calls", "operation", "claim", "outcome", "failure"))
                    .isEqualTo(1);
            assertThat(timed("dedup.store.calls", "operation", "claim_all")).isEqualTo(1);
            assertThat(timed("dedup.store.calls", "operation", "release")).isEqualTo(1);
            assertThat(timed("dedup.handler", "outcome", "success")).isEqualTo(3);
            assertThat(timed("dedup.handler", "outcome", "failure")).isEqualTo(1);
        }
    }

    @Test
    void fail_open_runs_are_counted_as_unguarded() {
        try (DedupConsumer<Msg> dedup = DedupConsumer.builder(Msg.KEY)
                .store(store)
                .namespace("payments")
                .settings(DedupSettings.custom()
                        .storeUnavailablePolicy(StoreUnavailablePolicy.FAIL_OPEN)
                        .build())
                .meterRegistry(registry)
                .metricTag("topic", "t1")
                .build()) {
            store.claimsDown = true;
            dedup.process(Msg.of("a"), m -> "ok");
            dedup.process(Msg.of("b"), m -> "ok");
            assertThat(messages("unguarded")).isEqualTo(2);
        }
    }
}
