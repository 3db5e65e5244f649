package io.dedup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dedup.memory.InMemoryDedupStore;
import io.dedup.spi.ClaimRequest;
import io.dedup.spi.ClaimResult;
import io.dedup.spi.RecordState;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class DedupConsumerTest {
    private final MutableTestClock clock = new MutableTestClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final TestStore store =
            new TestStore(InMemoryDedupStore.builder().clock(clock).build());
    private final List<String> ran = new ArrayList<>();
    private DedupConsumer<Msg> dedup = builder().build();

    private DedupConsumerBuilder<Msg> builder() {
        return builder(DedupSettings.custom());
    }

    /** With {@code settings}, lease renewal off: only the test's clock moves the leases. */
    private DedupConsumerBuilder<Msg> builder(DedupSettings.Builder settings) {
        return DedupConsumer.builder(Msg.KEY)
                .store(store)
                .namespace("orders")
                .settings(settings.leaseRenewalFraction(0).build())
                .messageDescriber(m -> "test message " + m.body());
    }

    private ResultHandler<Msg, String> recording() {
        return m -> {
            ran.add(m.key());
            return "result-" + m.key();
        };
    }

    @AfterEach
    void close() {
        dedup.close();
    }

    @Test
    void a_new_key_is_processed_once_and_recorded_completed() {
        DedupResult<String> result = dedup.process(Msg.of("a"), recording(), OutcomeCodecs.utf8(), true);
        assertThat(result).isInstanceOf(DedupResult.Processed.class);
        assertThat(result.disposition()).isEqualTo(Disposition.ACK);
        DedupResult.Processed<String> processed = (DedupResult.Processed<String>) result;
        assertThat(processed.result()).isEqualTo("result-a");
        assertThat(processed.claim().attempt()).isEqualTo(1);
        assertThat(store.find(DedupKey.of("orders", "a")).orElseThrow().state()).isEqualTo(RecordState.COMPLETED);
        assertThat(ran).containsExactly("a");
    }

    @Test
    void a_duplicate_does_not_run_the_handler_and_gets_the_stored_result() {
        dedup.process(Msg.of("a"), recording(), OutcomeCodecs.utf8(), true);
        DedupResult<String> again = dedup.process(Msg.of("a"), recording(), OutcomeCodecs.utf8(), true);
        assertThat(again).isInstanceOf(DedupResult.Duplicate.class);
        assertThat(again.disposition()).isEqualTo(Disposition.ACK);
        Outcome outcome = ((DedupResult.Duplicate<String>) again).outcome();
        assertThat(OutcomeCodecs.utf8().decode(outcome.body())).isEqualTo("result-a");
        assertThat(ran).containsExactly("a");
    }

    @Test
    void a_key_held_elsewhere_is_in_progress_and_the_wrapper_refuses_to_return() {
        store.claim(ClaimRequest.of(DedupKey.of("orders", "a"), Duration.ofMinutes(5), Duration.ofHours(1)));
        DedupResult<String> result = dedup.process(Msg.of("a"), recording());
        assertThat(result).isInstanceOf(DedupResult.InProgress.class);
        assertThat(result.disposition()).isEqualTo(Disposition.DEFER);
        assertThatThrownBy(() -> dedup.decorate(m -> ran.add(m.key())).handle(Msg.of("a")))
                .isInstanceOf(KeyInProgressException.class)
                .hasMessageContaining("orders/a");
        assertThat(ran).isEmpty();
    }

    @Test
    void a_key_reused_for_another_payload_is_a_conflict() {
        dedup.close();
        dedup = builder().fingerprint(Msg::bytes).build();
        dedup.process(new Msg("a", "first"), recording());
        DedupResult<String> result = dedup.process(new Msg("a", "second"), recording());
        assertThat(result).isInstanceOf(DedupResult.Conflict.class);
        assertThat(result.disposition()).isEqualTo(Disposition.DEAD_LETTER);
        assertThat(dedup.process(new Msg("a", "first"), recording())).isInstanceOf(DedupResult.Duplicate.class);
        assertThatThrownBy(() -> dedup.decorate(m -> {}).handle(new Msg("a", "third")))
                .isInstanceOf(IdempotencyConflictException.class);
        assertThat(ran).containsExactly("a");
    }

    @Test
    void a_failing_handler_releases_the_key_so_a_redelivery_runs_it_again() {
        AtomicInteger calls = new AtomicInteger();
        ResultHandler<Msg, String> flaky = m -> {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("first attempt fails");
            }
            return "ok";
        };
        DedupResult<String> first = dedup.process(Msg.of("a"), flaky);
        assertThat(first).isInstanceOf(DedupResult.Failed.class);
        assertThat(first.disposition()).isEqualTo(Disposition.RETRY_OR_DEAD_LETTER);
        DedupResult.Failed<String> failed = (DedupResult.Failed<String>) first;
        assertThat(failed.error()).hasMessage("first attempt fails");
        assertThat(failed.keyMarkedFailed()).isFalse();
        assertThat(store.find(DedupKey.of("orders", "a")).orElseThrow().state()).isEqualTo(RecordState.RELEASED);
        DedupResult<String> second = dedup.process(Msg.of("a"), flaky);
        assertThat(second).isInstanceOf(DedupResult.Processed.class);
        assertThat(((DedupResult.Processed<String>) second).claim().attempt()).isEqualTo(2);
    }

    static List<Named<Throwable>> thrownByTheHandler() {
        return List.of(
                Named.of("a checked exception", new IOException("disk full")),
                Named.of("an error", new OutOfMemoryError("simulated")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("thrownByTheHandler")
    void what_the_handler_throws_passes_through_the_wrapper_unchanged_and_gives_the_key_back(Throwable thrown) {
        MessageHandler<Msg> safe = dedup.decorate(m -> {
            if (thrown instanceof Error error) {
                throw error;
            }
            throw (Exception) thrown;
        });
        assertThatThrownBy(() -> safe.handle(Msg.of("a"))).isSameAs(thrown);
        // Nothing of the run is recorded: the key is released, so a redelivery runs it without waiting out a lease.
        assertThat(store.find(DedupKey.of("orders", "a")).orElseThrow().state()).isEqualTo(RecordState.RELEASED);
    }

    @Test
    void the_mark_failed_policy_completes_the_key_as_failed_on_the_final_attempt_only() {
        dedup.close();
        dedup = builder(DedupSettings.custom().failurePolicy(FailurePolicy.MARK_FAILED))
                .build();
        ResultHandler<Msg, String> failing = m -> {
            ran.add(m.key());
            throw new IllegalArgumentException("bad order");
        };
        DedupResult<String> notFinal = dedup.process(Msg.of("a"), failing, OutcomeCodecs.utf8(), false);
        assertThat(((DedupResult.Failed<String>) notFinal).keyMarkedFailed()).isFalse();
        DedupResult<String> last = dedup.process(Msg.of("a"), failing, OutcomeCodecs.utf8(), true);
        assertThat(((DedupResult.Failed<String>) last).keyMarkedFailed()).isTrue();
        DedupResult<String> later = dedup.process(Msg.of("a"), failing);
        assertThat(later).isInstanceOf(DedupResult.Duplicate.class);
        Outcome outcome = ((DedupResult.Duplicate<String>) later).outcome();
        assertThat(outcome.status()).isEqualTo(OutcomeStatus.FAILED);
        assertThat(new String(outcome.body(), java.nio.charset.StandardCharsets.UTF_8))
                .contains("IllegalArgumentException", "bad order");
        assertThat(ran).hasSize(2);
    }

    @Test
    void in_process_retries_run_under_one_claim_until_the_handler_succeeds() {
        dedup.close();
        dedup = builder().handlerAttempts(3, Duration.ZERO).build();
        AtomicInteger calls = new AtomicInteger();
        List<Long> tokens = new ArrayList<>();
        DedupResult<String> result = dedup.process(Msg.of("a"), m -> {
            tokens.add(Claim.current().orElseThrow().token());
            if (calls.incrementAndGet() < 3) {
                throw new IllegalStateException("transient");
            }
            return "done";
        });
        assertThat(result).isInstanceOf(DedupResult.Processed.class);
        assertThat(calls).hasValue(3);
        assertThat(tokens).hasSize(3).containsOnly(tokens.get(0));
    }

    @Test
    void a_worker_whose_lease_was_taken_over_is_fenced_and_cannot_complete() {
        dedup.close();
        dedup = builder(DedupSettings.custom().lease(Duration.ofSeconds(10))).build();
        AtomicReference<Claim> thief = new AtomicReference<>();
        DedupResult<String> result = dedup.process(Msg.of("a"), m -> {
            clock.advance(Duration.ofSeconds(11));
            ClaimResult taken = store.claim(
                    ClaimRequest.of(DedupKey.of("orders", "a"), Duration.ofSeconds(10), Duration.ofHours(1)));
            thief.set(((ClaimResult.Acquired) taken).claim());
            return "stale effect";
        });
        assertThat(result).isInstanceOf(DedupResult.Fenced.class);
        assertThat(result.disposition()).isEqualTo(Disposition.DEFER);
        DedupResult.Fenced<String> fenced = (DedupResult.Fenced<String>) result;
        assertThat(thief.get().token()).isGreaterThan(fenced.claim().token());
        assertThat(store.find(DedupKey.of("orders", "a")).orElseThrow().token())
                .isEqualTo(thief.get().token());
    }

    @Test
    void the_wrapper_reports_a_lost_lease_as_LeaseLostException() {
        dedup.close();
        dedup = builder(DedupSettings.custom().lease(Duration.ofSeconds(10))).build();
        MessageHandler<Msg> safe = dedup.decorate(m -> {
            clock.advance(Duration.ofSeconds(11));
            store.claim(ClaimRequest.of(DedupKey.of("orders", "a"), Duration.ofSeconds(10), Duration.ofHours(1)));
        });
        assertThatThrownBy(() -> safe.handle(Msg.of("a"))).isInstanceOf(LeaseLostException.class);
    }

    @Test
    void a_message_without_a_key_is_rejected_with_a_reason_naming_it() {
        DedupResult<String> result = dedup.process(new Msg(null, "no-key"), recording());
        assertThat(result).isInstanceOf(DedupResult.Rejected.class);
        assertThat(result.disposition()).isEqualTo(Disposition.DEAD_LETTER);
        DedupException reason = ((DedupResult.Rejected<String>) result).reason();
        assertThat(reason)
                .isInstanceOf(IdempotencyKeyMissingException.class)
                .hasMessageContaining("test message no-key")
                .hasMessageContaining("orders");
        assertThat(dedup.process(new Msg("", "empty"), recording()))
                .extracting(r -> ((DedupResult.Rejected<String>) r).reason())
                .isInstanceOf(IdempotencyKeyMissingException.class);
        assertThat(ran).isEmpty();
        assertThat(store.claims).hasValue(0);
    }

    @Test
    void a_corrupt_record_is_rejected_not_run() {
        store.corrupt = true;
        DedupResult<String> result = dedup.process(Msg.of("a"), recording());
        assertThat(result).isInstanceOf(DedupResult.Rejected.class);
        assertThat(((DedupResult.Rejected<String>) result).reason())
                .isInstanceOf(DedupStoreCorruptionException.class)
                .hasMessageContaining("orders/a");
        assertThat(ran).isEmpty();
    }

    @Test
    void fail_closed_never_runs_a_handler_without_a_claim() {
        store.claimsDown = true;
        DedupResult<String> result = dedup.process(Msg.of("a"), recording());
        assertThat(result).isInstanceOf(DedupResult.Unavailable.class);
        assertThat(result.disposition()).isEqualTo(Disposition.BACK_OFF);
        assertThat(((DedupResult.Unavailable<String>) result).handlerRan()).isFalse();
        assertThatThrownBy(() -> dedup.decorate(m -> ran.add("x")).handle(Msg.of("a")))
                .isInstanceOf(DedupStoreUnavailableException.class);
        assertThat(ran).isEmpty();
    }

    @Test
    void fail_open_runs_the_handler_unguarded() {
        dedup.close();
        dedup = builder(DedupSettings.custom().storeUnavailablePolicy(StoreUnavailablePolicy.FAIL_OPEN))
                .build();
        store.claimsDown = true;
        DedupResult<String> result = dedup.process(Msg.of("a"), recording());
        assertThat(result).isInstanceOf(DedupResult.Unguarded.class);
        assertThat(result.disposition()).isEqualTo(Disposition.ACK);
        assertThat(((DedupResult.Unguarded<String>) result).result()).isEqualTo("result-a");
        assertThat(ran).containsExactly("a");
    }

    @Test
    void a_completion_that_cannot_be_recorded_is_not_reported_as_done() {
        store.writesDown = true;
        DedupResult<String> result = dedup.process(Msg.of("a"), recording());
        assertThat(result).isInstanceOf(DedupResult.Unavailable.class);
        assertThat(((DedupResult.Unavailable<String>) result).handlerRan()).isTrue();
        assertThat(result.disposition()).isEqualTo(Disposition.BACK_OFF);
        assertThat(store.completes.get()).as("completion retried").isEqualTo(3);
    }

    @Test
    void a_completion_kept_while_the_store_was_down_is_recorded_first_so_the_redelivery_is_a_duplicate() {
        store.writesDown = true;
        assertThat(dedup.process(Msg.of("a"), recording())).isInstanceOf(DedupResult.Unavailable.class);
        store.writesDown = false;
        DedupResult<String> redelivery = dedup.process(Msg.of("a"), recording());
        assertThat(redelivery).isInstanceOf(DedupResult.Duplicate.class);
        assertThat(ran).containsExactly("a");
    }

    @Test
    void a_batch_completion_kept_while_the_store_was_down_is_recorded_before_the_next_batch() {
        store.writesDown = true;
        dedup.processAll(List.of(Msg.of("a"), Msg.of("b")), recording());
        store.writesDown = false;
        List<DedupResult<String>> again = dedup.processAll(List.of(Msg.of("a"), Msg.of("b"), Msg.of("c")), recording());
        assertThat(again.stream().map(r -> r.getClass().getSimpleName()).toList())
                .containsExactly("Duplicate", "Duplicate", "Processed");
        assertThat(ran).containsExactly("a", "b", "c");
    }

    @Test
    void a_completion_whose_answer_was_lost_is_confirmed_on_retry_not_reported_fenced() {
        // The first complete takes effect but its answer is lost; the retry is refused as a second completion.
        java.util.concurrent.atomic.AtomicBoolean loseFirstAnswer = new java.util.concurrent.atomic.AtomicBoolean(true);
        io.dedup.spi.DedupStore lossy = new ForwardingStore(store) {
            @Override
            public io.dedup.spi.WriteResult complete(io.dedup.spi.Completion completion) {
                io.dedup.spi.WriteResult written = super.complete(completion);
                if (loseFirstAnswer.getAndSet(false)) {
                    throw new DedupStoreUnavailableException("reply lost after the write took effect");
                }
                return written;
            }
        };
        dedup.close();
        dedup = DedupConsumer.builder(Msg.KEY)
                .store(lossy)
                .namespace("orders")
                .settings(DedupSettings.custom().leaseRenewalFraction(0).build())
                .build();
        assertThat(dedup.process(Msg.of("a"), recording())).isInstanceOf(DedupResult.Processed.class);
    }

    @Test
    void the_handler_can_read_its_claim_and_nobody_else_can() {
        AtomicReference<Claim> seen = new AtomicReference<>();
        dedup.process(Msg.of("a"), m -> {
            seen.set(Claim.current().orElseThrow());
            return null;
        });
        assertThat(seen.get().key()).isEqualTo(DedupKey.of("orders", "a"));
        assertThat(seen.get().token()).isPositive();
        assertThat(seen.get().attempt()).isEqualTo(1);
        assertThat(Claim.current()).isEmpty();
    }

    @Test
    void a_batch_takes_one_claim_round_trip_runs_in_order_and_records_every_completion() {
        List<Msg> batch = List.of(Msg.of("a"), Msg.of("b"), Msg.of("c"), Msg.of("d"));
        List<DedupResult<String>> results = dedup.processAll(batch, recording());
        assertThat(results).allMatch(r -> r instanceof DedupResult.Processed);
        assertThat(ran).containsExactly("a", "b", "c", "d");
        assertThat(store.claimAlls).hasValue(1);
        assertThat(store.claims).hasValue(0);
        // completions are written as handlers finish, coalesced over a few milliseconds: one round trip when the
        // four handlers finish within that window, more when the machine stalls between them (never asserted as a
        // count: it depends on the scheduler)
        assertThat(store.completeAlls.get() + store.completes.get()).isBetween(1, batch.size());
        for (String id : List.of("a", "b", "c", "d")) {
            assertThat(store.find(DedupKey.of("orders", id)).orElseThrow().state())
                    .isEqualTo(RecordState.COMPLETED);
        }
    }

    @Test
    void a_batch_repeating_a_key_runs_it_once_and_answers_the_repeats_as_duplicates() {
        dedup.process(Msg.of("old"), recording());
        ran.clear();
        List<Msg> batch =
                List.of(Msg.of("a"), Msg.of("old"), Msg.of("a"), new Msg(null, "x"), Msg.of("b"), Msg.of("a"));
        List<DedupResult<String>> results = dedup.processAll(batch, recording(), OutcomeCodecs.utf8(), true);
        assertThat(results.stream().map(r -> r.getClass().getSimpleName()).toList())
                .containsExactly("Processed", "Duplicate", "Duplicate", "Rejected", "Processed", "Duplicate");
        assertThat(ran).containsExactly("a", "b");
        Outcome repeat = ((DedupResult.Duplicate<String>) results.get(2)).outcome();
        assertThat(OutcomeCodecs.utf8().decode(repeat.body())).isEqualTo("result-a");
    }

    @Test
    void a_batch_retries_a_repeat_whose_first_copy_failed() {
        AtomicInteger calls = new AtomicInteger();
        List<DedupResult<String>> results = dedup.processAll(List.of(Msg.of("a"), Msg.of("a")), m -> {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("first copy fails");
            }
            return "ok";
        });
        assertThat(results.get(0)).isInstanceOf(DedupResult.Failed.class);
        assertThat(results.get(1)).isInstanceOf(DedupResult.Processed.class);
    }

    @Test
    void a_batch_against_a_down_store_runs_nothing_and_backs_off() {
        store.claimsDown = true;
        List<DedupResult<String>> results = dedup.processAll(List.of(Msg.of("a"), Msg.of("b")), recording());
        assertThat(results).allMatch(r -> r.disposition() == Disposition.BACK_OFF);
        assertThat(ran).isEmpty();
    }

    @Test
    void a_batch_whose_completion_cannot_be_recorded_acks_nothing() {
        store.writesDown = true;
        List<DedupResult<String>> results = dedup.processAll(List.of(Msg.of("a"), Msg.of("b")), recording());
        assertThat(results).allMatch(r -> r instanceof DedupResult.Unavailable<String> u && u.handlerRan());
    }

    @Test
    void builder_arguments_are_checked_when_set_and_named() {
        DedupConsumerBuilder<Msg> b = DedupConsumer.builder(Msg.KEY);
        assertThatThrownBy(() -> b.namespace("")).hasMessageContaining("namespace");
        assertThatThrownBy(() -> b.handlerAttempts(0, Duration.ZERO)).hasMessageContaining("handlerAttempts");
        assertThatThrownBy(() -> b.store(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("store");
        assertThatThrownBy(() -> b.settings(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("settings");
        assertThatThrownBy(() -> b.meterRegistry("not a registry")).hasMessageContaining("MeterRegistry");
    }

    @Test
    void keys_are_digested_when_long_or_when_asked() {
        assertThat(dedup.keyOf(Msg.of("short")).id()).isEqualTo("short");
        assertThat(dedup.keyOf(Msg.of("x".repeat(200))).isDigest()).isTrue();
        dedup.close();
        dedup = builder(DedupSettings.custom().digestAllKeys(true)).build();
        assertThat(dedup.keyOf(Msg.of("short")).isDigest()).isTrue();
        assertThat(dedup.keyOf(Msg.of("short"))).isEqualTo(DedupKey.digestOf("orders", "short"));
        assertThat(Optional.of(dedup.keyOf(Msg.of("short")).id()))
                .get()
                .asString()
                .doesNotContain("short");
    }
}
