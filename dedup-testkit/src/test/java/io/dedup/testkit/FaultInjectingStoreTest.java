package io.dedup.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dedup.Claim;
import io.dedup.DedupKey;
import io.dedup.DedupStoreUnavailableException;
import io.dedup.OutcomeStatus;
import io.dedup.spi.ClaimRequest;
import io.dedup.spi.ClaimResult;
import io.dedup.spi.Completion;
import io.dedup.spi.WriteResult;
import io.dedup.testkit.FaultInjectingStore.Operation;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class FaultInjectingStoreTest {
    private static final Duration LEASE = Duration.ofSeconds(30);
    private final FaultInjectingStore store = FaultInjectingStore.inMemory();

    private static ClaimRequest request(String id) {
        return ClaimRequest.of(DedupKey.of("faults", id), LEASE, Duration.ofMinutes(5));
    }

    private Claim acquire(String id) {
        return ((ClaimResult.Acquired) store.claim(request(id))).claim();
    }

    @Test
    void a_store_switched_down_refuses_every_operation_without_reaching_the_delegate_until_switched_up() {
        Claim held = acquire("a");
        store.down(true);

        assertThatThrownBy(() -> store.claim(request("b"))).isInstanceOf(DedupStoreUnavailableException.class);
        assertThatThrownBy(() -> store.claimAll(List.of(request("b"))))
                .isInstanceOf(DedupStoreUnavailableException.class);
        assertThatThrownBy(() -> store.renew(held.key(), held.token(), LEASE))
                .isInstanceOf(DedupStoreUnavailableException.class);
        assertThatThrownBy(() -> store.renewAll(List.of(held), LEASE))
                .isInstanceOf(DedupStoreUnavailableException.class);
        assertThatThrownBy(() -> store.release(held.key(), held.token(), LEASE))
                .isInstanceOf(DedupStoreUnavailableException.class);
        assertThatThrownBy(() -> store.find(held.key())).isInstanceOf(DedupStoreUnavailableException.class);
        assertThat(store.refused()).isEqualTo(6);

        store.down(false);
        assertThat(store.find(DedupKey.of("faults", "b"))).isEmpty(); // the refused claims never reached it
        assertThat(store.calls(Operation.CLAIM)).isEqualTo(1);
        assertThat(store.calls(Operation.FIND)).isEqualTo(1);
    }

    @Test
    void failing_the_next_calls_of_one_operation_refuses_exactly_that_many_of_it_and_nothing_else() {
        Claim held = acquire("a");
        Completion completion =
                new Completion(held.key(), held.token(), OutcomeStatus.SUCCEEDED, new byte[0], Duration.ofMinutes(5));
        store.failNext(Operation.COMPLETE_ALL, 2);

        assertThat(store.claimAll(List.of(request("b")))).hasSize(1);
        assertThatThrownBy(() -> store.completeAll(List.of(completion)))
                .isInstanceOf(DedupStoreUnavailableException.class);
        assertThatThrownBy(() -> store.completeAll(List.of(completion)))
                .isInstanceOf(DedupStoreUnavailableException.class);
        assertThat(store.completeAll(List.of(completion))).containsExactly(WriteResult.APPLIED);

        assertThat(store.refused(Operation.COMPLETE_ALL)).isEqualTo(2);
        assertThat(store.refused(Operation.CLAIM_ALL, Operation.COMPLETE)).isZero();
        assertThat(store.calls(Operation.CLAIM, Operation.CLAIM_ALL, Operation.COMPLETE_ALL))
                .isEqualTo(3);
    }

    @Test
    void a_hung_operation_holds_its_callers_until_resumed_while_other_operations_answer() throws Exception {
        Claim held = acquire("a");
        store.hang(Operation.RENEW_ALL);
        CompletableFuture<List<WriteResult>> renewal =
                CompletableFuture.supplyAsync(() -> store.renewAll(List.of(held), LEASE));

        await().atMost(Duration.ofSeconds(10)).until(() -> store.hanging(Operation.RENEW_ALL) == 1);
        assertThat(store.find(held.key())).isPresent();
        assertThat(renewal).isNotDone();
        assertThat(store.calls(Operation.RENEW_ALL)).isZero();

        store.resume(Operation.RENEW_ALL);
        assertThat(renewal.get(10, TimeUnit.SECONDS)).containsExactly(WriteResult.APPLIED);
        assertThat(store.hanging(Operation.RENEW_ALL)).isZero();
        assertThat(store.calls(Operation.RENEW_ALL)).isEqualTo(1);
    }

    @Test
    void a_held_call_whose_thread_is_interrupted_is_refused_as_unavailable() throws Exception {
        store.hang(Operation.CLAIM);
        CompletableFuture<Throwable> failure = new CompletableFuture<>();
        Thread caller = new Thread(() -> {
            try {
                store.claim(request("a"));
                failure.complete(null);
            } catch (RuntimeException e) {
                failure.complete(e);
            }
        });
        caller.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> store.hanging(Operation.CLAIM) == 1);

        caller.interrupt();
        assertThat(failure.get(10, TimeUnit.SECONDS)).isInstanceOf(DedupStoreUnavailableException.class);
        assertThat(store.refused(Operation.CLAIM)).isEqualTo(1);
        store.resume(Operation.CLAIM);
        assertThat(store.find(DedupKey.of("faults", "a"))).isEmpty();
    }

    @Test
    void the_switches_are_validated() {
        assertThatThrownBy(() -> store.failNext(Operation.CLAIM, -1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("times");
        assertThatThrownBy(() -> store.failNext(null, 1))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("operation");
        assertThatThrownBy(() -> FaultInjectingStore.wrap(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("delegate");
    }
}
