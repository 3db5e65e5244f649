package io.dedup.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dedup.Claim;
import io.dedup.DedupKey;
import io.dedup.Outcome;
import io.dedup.OutcomeStatus;
import io.dedup.spi.ClaimRequest;
import io.dedup.spi.ClaimResult;
import io.dedup.spi.Completion;
import io.dedup.spi.DedupStore;
import io.dedup.spi.RecordState;
import io.dedup.spi.StoredRecord;
import io.dedup.spi.WriteResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link DedupStore} keeps. A store's test extends this class and says how to make the store
 * and how time passes for it:
 *
 * <pre>{@code
 * class RedisStoreContractTest extends DedupStoreContract {
 *     protected DedupStore createStore() { return RedisDedupStore.create(LocalServices.redis().uri()); }
 *     protected TimeControl time() { return TimeControl.REAL; }
 * }
 * }</pre>
 *
 * <p>Each test works in a fresh namespace, so stores need not be emptied between tests. Time-dependent cases use
 * {@link #shortDuration()} leases; with {@link TimeControl#REAL} the kit polls until the store's own clock has
 * moved past them, so no case sleeps for a fixed time.
 */
public abstract class DedupStoreContract {
    private static final Duration LONG = Duration.ofMinutes(10);
    private static final Duration WAIT = Duration.ofSeconds(20);

    /** The store under test, fresh for each test. */
    protected DedupStore store;
    /** A namespace no other test uses. */
    protected String ns;

    /** Creates the store under test. Called before each test. */
    protected abstract DedupStore createStore();

    /** How time passes for the store. */
    protected abstract TimeControl time();

    /** A lease or retention short enough to wait out; long enough that a live lease is not lapsed by jitter. */
    protected Duration shortDuration() {
        return Duration.ofMillis(600);
    }

    @BeforeEach
    void openStore() {
        store = createStore();
        ns = "contract-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    // ------------------------------------------------------------------ helpers

    protected DedupKey key(String id) {
        return DedupKey.of(ns, id);
    }

    protected ClaimRequest request(DedupKey key) {
        return ClaimRequest.of(key, LONG, LONG);
    }

    protected ClaimRequest shortLease(DedupKey key) {
        return ClaimRequest.of(key, shortDuration(), LONG);
    }

    protected Claim acquire(ClaimRequest request) {
        ClaimResult result = store.claim(request);
        assertThat(result).as("claim of %s", request.key()).isInstanceOf(ClaimResult.Acquired.class);
        return ((ClaimResult.Acquired) result).claim();
    }

    protected WriteResult complete(Claim claim, byte[] body) {
        return store.complete(new Completion(claim.key(), claim.token(), OutcomeStatus.SUCCEEDED, body, LONG));
    }

    /** Lets a short lease (or retention) lapse, then claims until the store agrees it has lapsed. */
    protected Claim acquireAfterLapse(ClaimRequest request) {
        time().advance(shortDuration().plusMillis(50));
        ClaimResult[] last = new ClaimResult[1];
        await().atMost(WAIT).pollInterval(Duration.ofMillis(25)).until(() -> {
            last[0] = store.claim(request);
            return last[0] instanceof ClaimResult.Acquired;
        });
        return ((ClaimResult.Acquired) last[0]).claim();
    }

    private static String kind(ClaimResult result) {
        return result.getClass().getSimpleName();
    }

    // ------------------------------------------------------------------ claims

    @Test
    void first_claim_acquires_with_a_positive_token_on_attempt_one() {
        Claim claim = acquire(request(key("k1")));
        assertThat(claim.token()).isPositive();
        assertThat(claim.attempt()).isEqualTo(1);
        assertThat(claim.key()).isEqualTo(key("k1"));
    }

    @Test
    void a_second_claim_while_held_is_in_progress_until_the_lease_end() {
        Claim first = acquire(request(key("k1")));
        ClaimResult second = store.claim(request(key("k1")));
        assertThat(second).isInstanceOf(ClaimResult.InProgress.class);
        assertThat(((ClaimResult.InProgress) second).leaseUntil()).isEqualTo(first.leaseUntil());
    }

    @Test
    void a_claim_of_a_held_key_names_the_holders_token_alone_and_in_a_batch() {
        Claim first = acquire(request(key("held")));
        ClaimResult alone = store.claim(request(key("held")));
        assertThat(alone).isInstanceOf(ClaimResult.InProgress.class);
        assertThat(((ClaimResult.InProgress) alone).holderToken()).isEqualTo(first.token());

        List<ClaimResult> batch =
                store.claimAll(List.of(request(key("held")), request(key("fresh")), request(key("fresh"))));
        assertThat(batch.stream().map(DedupStoreContract::kind).toList())
                .containsExactly("InProgress", "Acquired", "InProgress");
        assertThat(((ClaimResult.InProgress) batch.get(0)).holderToken()).isEqualTo(first.token());
        Claim fresh = ((ClaimResult.Acquired) batch.get(1)).claim();
        // the repeat inside the batch is held by the claim the same batch made
        assertThat(((ClaimResult.InProgress) batch.get(2)).holderToken()).isEqualTo(fresh.token());
    }

    @Test
    void after_a_takeover_a_held_key_names_the_new_holders_token() {
        Claim first = acquire(shortLease(key("k1")));
        Claim second = acquireAfterLapse(request(key("k1")));
        ClaimResult third = store.claim(request(key("k1")));
        assertThat(third).isInstanceOf(ClaimResult.InProgress.class);
        assertThat(((ClaimResult.InProgress) third).holderToken())
                .isEqualTo(second.token())
                .isNotEqualTo(first.token());
    }

    @Test
    void sixteen_threads_claiming_one_key_exactly_one_acquires_and_the_rest_see_in_progress() throws Exception {
        for (int round = 0; round < 5; round++) {
            DedupKey key = key("contended-" + round);
            ExecutorService pool = Executors.newFixedThreadPool(16);
            try {
                CountDownLatch start = new CountDownLatch(1);
                List<Future<ClaimResult>> futures = new ArrayList<>();
                for (int t = 0; t < 16; t++) {
                    futures.add(pool.submit(() -> {
                        start.await();
                        return store.claim(request(key));
                    }));
                }
                start.countDown();
                int acquired = 0;
                int inProgress = 0;
                for (Future<ClaimResult> f : futures) {
                    ClaimResult r = f.get(30, TimeUnit.SECONDS);
                    if (r instanceof ClaimResult.Acquired) {
                        acquired++;
                    } else if (r instanceof ClaimResult.InProgress) {
                        inProgress++;
                    }
                }
                assertThat(acquired).as("acquired in round %d", round).isEqualTo(1);
                assertThat(inProgress).as("in progress in round %d", round).isEqualTo(15);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void a_completed_key_is_a_duplicate_carrying_its_outcome() {
        Claim claim = acquire(request(key("k1")));
        assertThat(complete(claim, new byte[] {1, 2, 3})).isEqualTo(WriteResult.APPLIED);
        ClaimResult again = store.claim(request(key("k1")));
        assertThat(again).isInstanceOf(ClaimResult.Duplicate.class);
        Outcome outcome = ((ClaimResult.Duplicate) again).outcome();
        assertThat(outcome.status()).isEqualTo(OutcomeStatus.SUCCEEDED);
        assertThat(outcome.body()).containsExactly(1, 2, 3);
    }

    @Test
    void claimAll_answers_exactly_as_sequential_claims_including_repeats_inside_the_batch() {
        String batchNs = ns + "-b";
        String seqNs = ns + "-s";
        // Same history in both namespaces: one completed key, one held key.
        for (String n : List.of(batchNs, seqNs)) {
            complete(acquire(ClaimRequest.of(DedupKey.of(n, "done"), LONG, LONG)), new byte[] {9});
            acquire(ClaimRequest.of(DedupKey.of(n, "held"), LONG, LONG));
        }
        List<String> ids = List.of("new1", "done", "held", "new2", "new1", "new2", "new3", "done");
        List<ClaimRequest> batch = new ArrayList<>();
        for (String id : ids) {
            batch.add(ClaimRequest.of(DedupKey.of(batchNs, id), LONG, LONG));
        }
        List<ClaimResult> batched = store.claimAll(batch);
        List<String> sequential = new ArrayList<>();
        for (String id : ids) {
            sequential.add(kind(store.claim(ClaimRequest.of(DedupKey.of(seqNs, id), LONG, LONG))));
        }
        assertThat(batched).hasSize(ids.size());
        assertThat(batched.stream().map(DedupStoreContract::kind).toList()).isEqualTo(sequential);
        assertThat(sequential)
                .containsExactly(
                        "Acquired",
                        "Duplicate",
                        "InProgress",
                        "Acquired",
                        "InProgress",
                        "InProgress",
                        "Acquired",
                        "Duplicate");
        for (int i = 0; i < ids.size(); i++) {
            assertThat(batched.get(i).key()).isEqualTo(DedupKey.of(batchNs, ids.get(i)));
        }
    }

    @Test
    void an_empty_batch_gets_an_empty_answer() {
        assertThat(store.claimAll(List.of())).isEmpty();
        assertThat(store.completeAll(List.of())).isEmpty();
    }

    @Test
    void completeAll_answers_per_key_and_refuses_only_the_stale_ones() {
        Claim a = acquire(request(key("a")));
        Claim b = acquire(request(key("b")));
        List<WriteResult> results = store.completeAll(List.of(
                new Completion(a.key(), a.token(), OutcomeStatus.SUCCEEDED, new byte[] {1}, LONG),
                new Completion(b.key(), b.token() + 1000, OutcomeStatus.SUCCEEDED, new byte[] {2}, LONG),
                new Completion(key("never-claimed"), 1, OutcomeStatus.SUCCEEDED, new byte[0], LONG)));
        assertThat(results).containsExactly(WriteResult.APPLIED, WriteResult.FENCED, WriteResult.FENCED);
        assertThat(store.claim(request(a.key()))).isInstanceOf(ClaimResult.Duplicate.class);
        assertThat(store.claim(request(b.key()))).isInstanceOf(ClaimResult.InProgress.class);
    }

    // ------------------------------------------------------------------ leases and fencing

    @Test
    void a_lapsed_lease_is_taken_over_with_a_strictly_higher_token() {
        Claim first = acquire(shortLease(key("k1")));
        Claim second = acquireAfterLapse(shortLease(key("k1")));
        assertThat(second.token()).isGreaterThan(first.token());
        assertThat(second.attempt()).isEqualTo(2);
    }

    @Test
    void a_stale_worker_cannot_complete_renew_or_release_after_takeover() {
        Claim stale = acquire(shortLease(key("k1")));
        Claim current = acquireAfterLapse(shortLease(key("k1")));
        assertThat(complete(stale, new byte[] {1})).isEqualTo(WriteResult.FENCED);
        assertThat(store.renew(stale.key(), stale.token(), LONG)).isEqualTo(WriteResult.FENCED);
        assertThat(store.release(stale.key(), stale.token(), LONG)).isEqualTo(WriteResult.FENCED);
        // The current holder is unaffected by the refused writes.
        assertThat(store.find(current.key()).orElseThrow().state()).isEqualTo(RecordState.IN_PROGRESS);
        assertThat(complete(current, new byte[] {2})).isEqualTo(WriteResult.APPLIED);
    }

    @Test
    void tokens_never_repeat_across_release_and_reacquire() {
        Claim a = acquire(shortLease(key("k1")));
        Claim b = acquireAfterLapse(request(key("k1")));
        assertThat(store.release(b.key(), b.token(), LONG)).isEqualTo(WriteResult.APPLIED);
        Claim c = acquire(request(key("k1")));
        assertThat(b.token()).isGreaterThan(a.token());
        assertThat(c.token()).isGreaterThan(b.token());
        assertThat(complete(a, new byte[] {1}))
                .as("stale A completing as if it were C")
                .isEqualTo(WriteResult.FENCED);
        assertThat(complete(b, new byte[] {1})).isEqualTo(WriteResult.FENCED);
        assertThat(complete(c, new byte[] {1})).isEqualTo(WriteResult.APPLIED);
    }

    @Test
    void tokens_keep_rising_after_the_record_expired_and_the_first_owner_is_fenced() {
        Duration brief = Duration.ofMillis(100);
        ClaimRequest briefRequest = ClaimRequest.of(key("k1"), brief, brief);
        Claim first = acquire(briefRequest);
        // Past the lease and the retention after it: the record itself is gone, by the store's clock.
        time().advance(brief.plus(brief).plusMillis(50));
        await().atMost(WAIT).pollInterval(Duration.ofMillis(25)).until(() -> store.find(first.key())
                .isEmpty());
        Claim second = acquire(briefRequest);
        assertThat(second.token()).as("token after expiry").isGreaterThan(first.token());
        assertThat(store.complete(
                        new Completion(first.key(), first.token(), OutcomeStatus.SUCCEEDED, new byte[] {1}, LONG)))
                .as("the first owner, paused past lease and retention, completing")
                .isEqualTo(WriteResult.FENCED);
        assertThat(store.complete(
                        new Completion(second.key(), second.token(), OutcomeStatus.SUCCEEDED, new byte[] {2}, LONG)))
                .isEqualTo(WriteResult.APPLIED);
    }

    @Test
    void a_released_key_is_acquired_again_by_the_next_claim_on_the_next_attempt() {
        Claim first = acquire(request(key("k1")));
        assertThat(store.release(first.key(), first.token(), LONG)).isEqualTo(WriteResult.APPLIED);
        assertThat(store.find(first.key()).orElseThrow().state()).isEqualTo(RecordState.RELEASED);
        Claim second = acquire(request(key("k1")));
        assertThat(second.attempt()).isEqualTo(2);
        assertThat(store.release(first.key(), first.token(), LONG)).isEqualTo(WriteResult.FENCED);
    }

    @Test
    void renewal_extends_the_lease_and_a_renewed_key_is_not_taken_over() {
        Claim claim = acquire(shortLease(key("k1")));
        acquire(shortLease(key("probe")));
        assertThat(store.renew(claim.key(), claim.token(), LONG)).isEqualTo(WriteResult.APPLIED);
        assertThat(store.find(claim.key()).orElseThrow().leaseUntil().orElseThrow())
                .isAfter(claim.leaseUntil());
        // Once the probe's equally short lease has lapsed by the store's clock, the original lease has too.
        acquireAfterLapse(shortLease(key("probe")));
        assertThat(store.claim(shortLease(key("k1")))).isInstanceOf(ClaimResult.InProgress.class);
        assertThat(complete(claim, new byte[0])).isEqualTo(WriteResult.APPLIED);
    }

    @Test
    void writes_on_absent_or_completed_keys_are_refused() {
        assertThat(store.renew(key("absent"), 1, LONG)).isEqualTo(WriteResult.FENCED);
        assertThat(store.release(key("absent"), 1, LONG)).isEqualTo(WriteResult.FENCED);
        Claim claim = acquire(request(key("k1")));
        assertThat(complete(claim, new byte[0])).isEqualTo(WriteResult.APPLIED);
        assertThat(complete(claim, new byte[0])).as("completing twice").isEqualTo(WriteResult.FENCED);
        assertThat(store.renew(claim.key(), claim.token(), LONG)).isEqualTo(WriteResult.FENCED);
        assertThat(store.release(claim.key(), claim.token(), LONG)).isEqualTo(WriteResult.FENCED);
        assertThat(store.claim(request(key("k1")))).isInstanceOf(ClaimResult.Duplicate.class);
    }

    // ------------------------------------------------------------------ retention

    @Test
    void a_completed_key_is_forgotten_when_its_retention_ends() {
        Claim claim = acquire(request(key("k1")));
        assertThat(store.complete(new Completion(
                        claim.key(), claim.token(), OutcomeStatus.SUCCEEDED, new byte[0], shortDuration())))
                .isEqualTo(WriteResult.APPLIED);
        assertThat(store.claim(request(key("k1")))).isInstanceOf(ClaimResult.Duplicate.class);
        Claim again = acquireAfterLapse(request(key("k1")));
        assertThat(again.key()).isEqualTo(key("k1"));
    }

    // ------------------------------------------------------------------ fingerprints

    @Test
    void a_key_reused_with_a_different_fingerprint_is_a_conflict() {
        DedupKey k = key("k1");
        Claim claim = acquire(new ClaimRequest(k, LONG, LONG, Optional.of("fp-A")));
        assertThat(store.claim(new ClaimRequest(k, LONG, LONG, Optional.of("fp-B"))))
                .as("while held")
                .isInstanceOf(ClaimResult.Conflict.class);
        assertThat(store.claim(new ClaimRequest(k, LONG, LONG, Optional.of("fp-A"))))
                .isInstanceOf(ClaimResult.InProgress.class);
        complete(claim, new byte[0]);
        assertThat(store.claim(new ClaimRequest(k, LONG, LONG, Optional.of("fp-B"))))
                .as("after completion")
                .isInstanceOf(ClaimResult.Conflict.class);
        assertThat(store.claim(new ClaimRequest(k, LONG, LONG, Optional.of("fp-A"))))
                .isInstanceOf(ClaimResult.Duplicate.class);
        assertThat(store.claim(request(k))).as("no fingerprint given").isInstanceOf(ClaimResult.Duplicate.class);
    }

    // ------------------------------------------------------------------ outcomes

    @Test
    void outcomes_round_trip_empty_binary_and_one_mebibyte() {
        byte[] binary = new byte[256];
        for (int i = 0; i < 256; i++) {
            binary[i] = (byte) i;
        }
        byte[] large = new byte[1024 * 1024];
        new Random(42).nextBytes(large);
        for (byte[] body : List.of(new byte[0], binary, large)) {
            DedupKey k = key("outcome-" + body.length);
            complete(acquire(request(k)), body);
            ClaimResult again = store.claim(request(k));
            assertThat(again).isInstanceOf(ClaimResult.Duplicate.class);
            assertThat(((ClaimResult.Duplicate) again).outcome().body())
                    .as("body of %d bytes", body.length)
                    .isEqualTo(body);
        }
    }

    @Test
    void a_key_marked_failed_keeps_its_failed_status() {
        Claim claim = acquire(request(key("k1")));
        byte[] reason = "java.lang.IllegalStateException: boom".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(store.complete(new Completion(claim.key(), claim.token(), OutcomeStatus.FAILED, reason, LONG)))
                .isEqualTo(WriteResult.APPLIED);
        Outcome outcome = ((ClaimResult.Duplicate) store.claim(request(key("k1")))).outcome();
        assertThat(outcome.status()).isEqualTo(OutcomeStatus.FAILED);
        assertThat(outcome.body()).isEqualTo(reason);
    }

    @Test
    void find_returns_what_was_written() {
        DedupKey k = key("k1");
        assertThat(store.find(k)).isEmpty();
        Claim claim = acquire(new ClaimRequest(k, LONG, LONG, Optional.of("fp")));
        StoredRecord held = store.find(k).orElseThrow();
        assertThat(held.state()).isEqualTo(RecordState.IN_PROGRESS);
        assertThat(held.token()).isEqualTo(claim.token());
        assertThat(held.attempts()).isEqualTo(1);
        assertThat(held.leaseUntil()).contains(claim.leaseUntil());
        assertThat(held.fingerprint()).contains("fp");
        assertThat(held.expiresAt()).isAfter(claim.leaseUntil());
        complete(claim, new byte[] {7});
        StoredRecord done = store.find(k).orElseThrow();
        assertThat(done.state()).isEqualTo(RecordState.COMPLETED);
        assertThat(done.token()).isEqualTo(claim.token());
        assertThat(done.outcome().orElseThrow().body()).containsExactly(7);
        assertThat(done.fingerprint()).contains("fp");
    }

    // ------------------------------------------------------------------ keys

    @Test
    void unicode_keys_are_distinct_and_found_as_written() {
        List<String> ids = List.of("zahlung-ü", "支付-42", "платёж", "emoji-\uD83D\uDCB8", "tab\tand space", "a/b:c");
        for (String id : ids) {
            acquire(request(key(id)));
        }
        for (String id : ids) {
            assertThat(store.find(key(id))).as(id).map(StoredRecord::key).contains(key(id));
            assertThat(store.claim(request(key(id)))).as(id).isInstanceOf(ClaimResult.InProgress.class);
        }
    }

    @Test
    void ten_kibibyte_keys_are_claimed_as_digests_and_do_not_collide() {
        String base = "x".repeat(10 * 1024);
        DedupKey a = key(base + "a");
        DedupKey b = key(base + "b");
        assertThat(a.isDigest()).isTrue();
        assertThat(a).isNotEqualTo(b);
        Claim claim = acquire(request(a));
        complete(claim, new byte[0]);
        assertThat(store.claim(request(b))).isInstanceOf(ClaimResult.Acquired.class);
        assertThat(store.claim(request(key(base + "a")))).isInstanceOf(ClaimResult.Duplicate.class);
    }

    @Test
    void binary_text_and_invalid_utf16_keys_are_distinct_records_on_the_store() {
        List<DedupKey> keys = List.of(
                key("a\uD800"), // a lone surrogate: drivers would write "a?"
                key("a\uDBFF"),
                key("a?"),
                DedupKey.ofBytes(ns, new byte[] {(byte) 0xFF}),
                key("#bin:_w"),
                key("base64:_w"));
        for (DedupKey key : keys) {
            assertThat(store.claim(request(key))).as("%s", key).isInstanceOf(ClaimResult.Acquired.class);
        }
        for (DedupKey key : keys) {
            assertThat(store.find(key)).as("%s", key).map(StoredRecord::key).contains(key);
        }
    }

    @Test
    void an_empty_key_is_refused_with_a_clear_error() {
        assertThatThrownBy(() -> DedupKey.of(ns, ""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must not be empty");
        assertThatThrownBy(() -> new DedupKey(ns, ""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must not be empty");
    }

    @Test
    void namespaces_are_isolated() {
        DedupKey one = DedupKey.of(ns + "-one", "same-id");
        DedupKey two = DedupKey.of(ns + "-two", "same-id");
        complete(acquire(request(one)), new byte[] {1});
        assertThat(store.claim(request(two))).isInstanceOf(ClaimResult.Acquired.class);
        assertThat(store.claim(request(one))).isInstanceOf(ClaimResult.Duplicate.class);
    }

    @Test
    void concurrent_batches_over_overlapping_keys_acquire_each_key_exactly_once() throws Exception {
        int threads = 8;
        int keys = 200;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<int[]>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int seed = t;
                Supplier<List<ClaimRequest>> batch = () -> {
                    List<ClaimRequest> requests = new ArrayList<>();
                    Random random = new Random(seed);
                    for (int i = 0; i < keys; i++) {
                        requests.add(request(key("overlap-" + random.nextInt(keys))));
                    }
                    return requests;
                };
                futures.add(pool.submit(() -> {
                    List<ClaimRequest> requests = batch.get();
                    start.await();
                    int acquired = 0;
                    int failed = 0;
                    for (ClaimResult r : store.claimAll(requests)) {
                        if (r instanceof ClaimResult.Acquired) {
                            acquired++;
                        } else if (r instanceof ClaimResult.Failed) {
                            failed++;
                        }
                    }
                    return new int[] {acquired, failed};
                }));
            }
            start.countDown();
            int total = 0;
            int failed = 0;
            for (Future<int[]> f : futures) {
                int[] answered = f.get(60, TimeUnit.SECONDS);
                total += answered[0];
                failed += answered[1];
            }
            long distinct = 0;
            for (int i = 0; i < keys; i++) {
                if (store.find(key("overlap-" + i)).isPresent()) {
                    distinct++;
                }
            }
            // G1: never two acquisitions of one key. A claim the store wrote but whose answer was lost (a command
            // timeout on a loaded machine answers Failed) leaves a key held that nobody learned of: never a second
            // owner, and the key is free again when its lease ends. Without failures the two bounds make the count
            // exact.
            assertThat(total).as("acquisitions").isLessThanOrEqualTo((int) distinct);
            assertThat(total + failed)
                    .as("acquisitions (%d) and failed answers (%d) against %d keys written", total, failed, distinct)
                    .isGreaterThanOrEqualTo((int) distinct);
        } finally {
            pool.shutdownNow();
        }
    }
}
