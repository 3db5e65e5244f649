package io.dedup.kafka.internal.share;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.dedup.Claim;
import io.dedup.DeadLetterReason;
import io.dedup.DedupKey;
import io.dedup.DedupResult;
import io.dedup.DedupSettings;
import io.dedup.DedupStoreUnavailableException;
import io.dedup.IdempotencyKeyMissingException;
import io.dedup.IdempotencyKeyUnreadableException;
import io.dedup.Outcome;
import io.dedup.kafka.share.KafkaShareDedupRunner;
import io.dedup.kafka.share.KafkaShareDedupRunnerBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/** The acknowledgement rules of docs/kafka-share.md, result by result, and the builder's checks. No I/O. */
class ShareVerdictTest {
    private static final int LIMIT = 3;
    private final ShareBatch<String, String> batch = new ShareBatch<>(null, null, null, null, null, LIMIT);
    private final DedupKey key = DedupKey.of("ns", "k");
    private final Claim claim = new Claim(key, 1, 1, Instant.now());

    @Test
    void processed_duplicate_and_unguarded_are_accepted() {
        assertThat(batch.verdict(new DedupResult.Processed<>(claim, null), 1, false))
                .isEqualTo(Verdict.ACCEPT);
        assertThat(batch.verdict(new DedupResult.Duplicate<>(key, outcome()), LIMIT, false))
                .isEqualTo(Verdict.ACCEPT);
        assertThat(batch.verdict(
                        new DedupResult.Unguarded<>(Optional.of(key), null, new DedupStoreUnavailableException("down")),
                        1,
                        false))
                .isEqualTo(Verdict.ACCEPT);
    }

    @Test
    void a_failure_is_released_while_deliveries_are_left_and_dead_lettered_on_the_last() {
        DedupResult.Failed<Object> failed =
                new DedupResult.Failed<>(key, Optional.of(claim), new IllegalStateException("boom"), 1, false);
        assertThat(batch.verdict(failed, LIMIT - 1, false)).isEqualTo(Verdict.RELEASE);
        Verdict last = batch.verdict(failed, LIMIT, false);
        assertThat(last.kind()).isEqualTo(Verdict.Kind.DEAD_LETTER);
        assertThat(last.reason()).isEqualTo(DeadLetterReason.HANDLER_FAILED);
        assertThat(last.attempts()).isEqualTo(LIMIT);
    }

    @Test
    void a_key_held_elsewhere_is_kept_until_its_lease_ends_and_released_work_is_dead_lettered_on_the_last_delivery() {
        Instant leaseUntil = Instant.now().plusSeconds(5);
        DedupResult.InProgress<Object> held = new DedupResult.InProgress<>(key, leaseUntil);
        assertThat(batch.verdict(held, 1, false)).isEqualTo(Verdict.defer(leaseUntil));
        assertThat(batch.verdict(held, LIMIT, false)).isEqualTo(Verdict.defer(leaseUntil));
        assertThat(batch.verdict(new DedupResult.Fenced<>(claim, null), 1, false))
                .isEqualTo(Verdict.RELEASE);
        assertThat(batch.verdict(new DedupResult.Released<>(claim), 1, false)).isEqualTo(Verdict.RELEASE);
        assertThat(batch.verdict(new DedupResult.Released<>(claim), LIMIT, false)
                        .reason())
                .isEqualTo(DeadLetterReason.DELIVERY_LIMIT);
    }

    @Test
    void a_store_outage_acknowledges_nothing() {
        assertThat(batch.verdict(
                        new DedupResult.Unavailable<>(
                                Optional.of(key), new DedupStoreUnavailableException("down"), false),
                        LIMIT,
                        false))
                .isEqualTo(Verdict.RETRY);
        assertThat(batch.verdict(new DedupResult.Released<>(claim), 1, true)).isEqualTo(Verdict.RETRY);
        assertThat(batch.verdict(null, 1, false)).isEqualTo(Verdict.RETRY);
    }

    @Test
    void bad_input_and_conflicts_are_dead_lettered_with_their_reason() {
        assertThat(batch.verdict(new DedupResult.Conflict<>(key), 1, false).reason())
                .isEqualTo(DeadLetterReason.KEY_CONFLICT);
        assertThat(batch.verdict(new DedupResult.Rejected<>(new IdempotencyKeyMissingException("none")), 1, false)
                        .reason())
                .isEqualTo(DeadLetterReason.KEY_MISSING);
        assertThat(batch.verdict(new DedupResult.Rejected<>(new IdempotencyKeyUnreadableException("bad")), 1, false)
                        .reason())
                .isEqualTo(DeadLetterReason.KEY_UNREADABLE);
    }

    @Test
    void the_store_lease_is_the_lock_minus_a_margin() {
        assertThat(AcquisitionLock.leaseFor(Duration.ofSeconds(30))).isEqualTo(Duration.ofSeconds(27));
        assertThat(AcquisitionLock.leaseFor(Duration.ofSeconds(2))).isEqualTo(Duration.ofMillis(1500));
        assertThat(AcquisitionLock.leaseFor(Duration.ofMillis(600))).isEqualTo(Duration.ofMillis(300));
    }

    @Test
    void the_builder_refuses_an_implicit_acknowledgement_mode_and_names_bad_settings() {
        Map<String, Object> implicit =
                Map.of("bootstrap.servers", "127.0.0.1:1", "group.id", "g", "share.acknowledgement.mode", "implicit");
        assertThatThrownBy(() -> KafkaShareDedupRunner.builder(
                                implicit, new StringDeserializer(), new StringDeserializer())
                        .topics("t")
                        .handler((record, delivery) -> {})
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("share.acknowledgement.mode");
        var builder = KafkaShareDedupRunner.builder(
                Map.of("bootstrap.servers", "127.0.0.1:1"), new StringDeserializer(), new StringDeserializer());
        assertThatThrownBy(() -> builder.deliveryLimit(0)).hasMessageContaining("deliveryLimit");
        assertThatThrownBy(() -> builder.topics("t").handler((r, d) -> {}).build())
                .hasMessageContaining("group.id");
    }

    /** A runner's builder whose broker address leads nowhere: build() tries the options, nothing connects. */
    private static KafkaShareDedupRunnerBuilder<String, String> unconnectedRunner() {
        return KafkaShareDedupRunner.builder(
                        Map.of("bootstrap.servers", "127.0.0.1:1", "group.id", "g"),
                        new StringDeserializer(),
                        new StringDeserializer())
                .topics("t")
                .handler((record, delivery) -> {});
    }

    @Test
    void dedup_options_that_call_settings_are_refused_at_build_and_leave_their_meter_registry_empty() {
        SimpleMeterRegistry theirs = new SimpleMeterRegistry();
        AtomicInteger applied = new AtomicInteger();
        var builder = unconnectedRunner().dedupOptions(options -> {
            applied.incrementAndGet();
            options.meterRegistry(theirs)
                    .handlerAttempts(2, Duration.ZERO)
                    .settings(
                            DedupSettings.custom().retention(Duration.ofDays(7)).build());
        });

        // closes a runner that was built after all, so that a failing run leaves no client open
        Throwable thrown = catchThrowable(() -> builder.build().close());

        assertThat(thrown)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("dedupOptions must not call settings(...)")
                .hasMessageContaining("KafkaShareDedupRunnerBuilder.settings(...)");
        // refused when build() tried the options, not when records arrived; the probe registered no meters
        assertThat(applied).hasValue(1);
        assertThat(theirs.getMeters()).isEmpty();
    }

    @Test
    void dedup_options_whose_setter_refuses_its_argument_fail_build() {
        var builder = unconnectedRunner().dedupOptions(options -> options.handlerAttempts(0, Duration.ZERO));

        Throwable thrown = catchThrowable(() -> builder.build().close());

        assertThat(thrown).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("handlerAttempts");
    }

    private static Outcome outcome() {
        return Outcome.of(io.dedup.OutcomeStatus.SUCCEEDED, new byte[0], Instant.now());
    }
}
