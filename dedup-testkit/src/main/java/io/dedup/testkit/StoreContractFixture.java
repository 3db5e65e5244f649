package io.dedup.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dedup.Claim;
import io.dedup.DedupKey;
import io.dedup.OutcomeStatus;
import io.dedup.spi.ClaimRequest;
import io.dedup.spi.ClaimResult;
import io.dedup.spi.Completion;
import io.dedup.spi.DedupStore;
import io.dedup.spi.WriteResult;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The ground every layer of {@link DedupStoreContract} stands on: the store under test, a fresh namespace per test,
 * how time passes for the store, and the few steps the cases repeat (claim and expect to acquire, complete, wait out
 * a short lease).
 *
 * <p>A store's test extends {@link DedupStoreContract}, not this class. JUnit creates one instance per test; the
 * fields are written before the test and read by it (and by the threads a concurrent case starts after them), so
 * no locking is needed.
 */
public abstract class StoreContractFixture {
    /** A lease and retention no case outlives, for claims that must stay held or completed. */
    protected static final Duration LONG = Duration.ofMinutes(10);

    /** How long a case polls for the store's clock to pass a short lease before it fails. */
    protected static final Duration WAIT = Duration.ofSeconds(20);

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

    /** Creates the store and picks this test's namespace. */
    @BeforeEach
    void openStore() {
        store = createStore();
        // a fresh namespace instead of emptying the store: shared servers keep other tests' records
        ns = "contract-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Closes the store after each test; records stay, in a namespace no later test uses. */
    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    /** The key {@code id} in this test's namespace. */
    protected DedupKey key(String id) {
        return DedupKey.of(ns, id);
    }

    /** A claim of {@code key} whose lease and retention outlive the test. */
    protected ClaimRequest request(DedupKey key) {
        return ClaimRequest.of(key, LONG, LONG);
    }

    /** A claim of {@code key} whose lease lapses after {@link #shortDuration()}. */
    protected ClaimRequest shortLease(DedupKey key) {
        return ClaimRequest.of(key, shortDuration(), LONG);
    }

    /** Claims and asserts that the claim acquired; returns the claim. */
    protected Claim acquire(ClaimRequest request) {
        ClaimResult result = store.claim(request);
        assertThat(result).as("claim of %s", request.key()).isInstanceOf(ClaimResult.Acquired.class);
        return ((ClaimResult.Acquired) result).claim();
    }

    /** Claims and asserts that the key is held by another claim; returns the answer, to check its holder and lease. */
    protected ClaimResult.InProgress inProgress(ClaimRequest request) {
        ClaimResult result = store.claim(request);
        assertThat(result).as("claim of %s", request.key()).isInstanceOf(ClaimResult.InProgress.class);
        return (ClaimResult.InProgress) result;
    }

    /** Completes {@code claim} as succeeded with {@code body}, retained for {@link #LONG}. */
    protected WriteResult complete(Claim claim, byte[] body) {
        return store.complete(new Completion(claim.key(), claim.token(), OutcomeStatus.SUCCEEDED, body, LONG));
    }

    /** Lets a short lease (or retention) lapse, then claims until the store agrees it has lapsed. */
    protected Claim acquireAfterLapse(ClaimRequest request) {
        time().advance(shortDuration().plusMillis(50));
        // The store judges expiry by its own clock (DESIGN §1), which may lag ours: poll, never sleep a fixed time.
        ClaimResult[] last = new ClaimResult[1];
        await().atMost(WAIT).pollInterval(Duration.ofMillis(25)).until(() -> {
            last[0] = store.claim(request);
            return last[0] instanceof ClaimResult.Acquired;
        });
        return ((ClaimResult.Acquired) last[0]).claim();
    }

    /** The kind of answer ({@code Acquired}, {@code Duplicate}, ...), to compare lists of answers at a glance. */
    protected static String kind(ClaimResult result) {
        return result.getClass().getSimpleName();
    }
}
