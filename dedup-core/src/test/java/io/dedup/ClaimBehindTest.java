package io.dedup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dedup.memory.InMemoryDedupStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link DedupConsumer#claimAllBehind}: a pipeline that claims its next batch while the current one runs meets its own
 * keys as duplicates or released, never as held by someone else, and waits only for the keys the two batches share.
 */
@Timeout(20) // a claim behind that waits for what never settles would hang: it fails instead
class ClaimBehindTest {
    private final MutableTestClock clock = new MutableTestClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final TestStore store =
            new TestStore(InMemoryDedupStore.builder().clock(clock).build());
    private final DedupConsumer<Msg> dedup = DedupConsumer.builder(Msg.KEY)
            .store(store)
            .namespace("orders")
            .settings(DedupSettings.custom().lease(Duration.ofSeconds(30)).build())
            .build();
    private final ExecutorService claimer = Executors.newSingleThreadExecutor();
    private final AtomicInteger runs = new AtomicInteger();
    private final ResultHandler<Msg, Void> handler = m -> {
        runs.incrementAndGet();
        return null;
    };

    @AfterEach
    void close() {
        claimer.shutdownNow();
        dedup.close();
    }

    private static List<Msg> msgs(String... keys) {
        List<Msg> list = new ArrayList<>();
        for (String key : keys) {
            list.add(Msg.of(key));
        }
        return list;
    }

    @Test
    void a_key_the_running_batch_holds_is_claimed_behind_it_once_completed_and_answers_duplicate() throws Exception {
        ClaimedBatch<Msg> current = dedup.claimAll(msgs("a", "b"));
        AtomicReference<Thread> claiming = new AtomicReference<>();
        Future<ClaimedBatch<Msg>> next = claimer.submit(() -> {
            claiming.set(Thread.currentThread());
            return dedup.claimAllBehind(msgs("b", "c"), current);
        });
        // the claim behind waits for "b", held by the running batch, before it goes to the store at all
        await().atMost(Duration.ofSeconds(10))
                .until(() -> claiming.get() != null && claiming.get().getState() == Thread.State.WAITING);
        assertThat(store.claimAlls).hasValue(1);
        assertThat(next).isNotDone();

        for (ClaimedBatch.Entry<Msg> entry : current.entries()) {
            assertThat(current.run(entry, handler, OutcomeCodecs.none(), false)).isNull();
        }
        current.complete();
        current.close();

        try (ClaimedBatch<Msg> behind = next.get(10, TimeUnit.SECONDS)) {
            ClaimedBatch.Entry<Msg> b = behind.entries().get(0);
            ClaimedBatch.Entry<Msg> c = behind.entries().get(1);
            assertThat(b.mayRun()).isFalse();
            assertThat(b.result()).isInstanceOf(DedupResult.Duplicate.class);
            assertThat(c.mayRun()).isTrue();
            behind.run(c, handler, OutcomeCodecs.none(), false);
            behind.complete();
        }
        assertThat(runs).hasValue(3); // a, b, c: b ran once, in the batch that claimed it first
    }

    @Test
    void keys_the_running_batch_does_not_hold_are_claimed_at_once() {
        try (ClaimedBatch<Msg> current = dedup.claimAll(msgs("a", "b"))) {
            // on the running batch's own thread: a wait here would never end, since nothing of "current" has run
            try (ClaimedBatch<Msg> behind = dedup.claimAllBehind(msgs("c", "d"), current)) {
                assertThat(behind.entries())
                        .allSatisfy(entry -> assertThat(entry.mayRun()).isTrue());
            }
        }
    }

    @Test
    void a_key_the_running_batch_gives_back_unstarted_is_acquired_behind_it() throws Exception {
        ClaimedBatch<Msg> current = dedup.claimAll(msgs("a"));
        Future<ClaimedBatch<Msg>> next = claimer.submit(() -> dedup.claimAllBehind(msgs("a"), current));
        current.skip(current.entries().get(0));
        current.complete(); // releases the skipped key
        current.close();
        try (ClaimedBatch<Msg> behind = next.get(10, TimeUnit.SECONDS)) {
            assertThat(behind.entries().get(0).mayRun()).isTrue();
        }
    }

    @Test
    void a_key_the_store_could_not_claim_for_the_running_batch_holds_nothing_and_is_not_waited_for() {
        store.claimsDown = true;
        try (ClaimedBatch<Msg> current = dedup.claimAll(msgs("a"))) {
            assertThat(current.entries().get(0).result()).isInstanceOf(DedupResult.Unavailable.class);
            store.claimsDown = false;
            // on the running batch's own thread: waiting for an entry that never held a claim would never end
            try (ClaimedBatch<Msg> behind = dedup.claimAllBehind(msgs("a"), current)) {
                assertThat(behind.entries().get(0).mayRun()).isTrue();
            }
        }
    }

    @Test
    void a_batch_of_another_consumer_is_refused() {
        try (DedupConsumer<Msg> other = DedupConsumer.builder(Msg.KEY)
                        .store(store)
                        .namespace("orders")
                        .build();
                ClaimedBatch<Msg> foreign = other.claimAll(msgs("x"))) {
            assertThatThrownBy(() -> dedup.claimAllBehind(msgs("y"), foreign))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("not a leased batch of this consumer's");
        }
    }
}
