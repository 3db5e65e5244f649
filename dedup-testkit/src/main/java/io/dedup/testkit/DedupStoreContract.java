package io.dedup.testkit;

import io.dedup.spi.DedupStore;

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
 *
 * <p>The cases come in themed layers, each extending the one before, so a failing case's class says which part of
 * DESIGN §1 and §5 a store breaks:
 *
 * <ul>
 *   <li>{@link ClaimContract}: what one claim answers (acquired, in progress, duplicate, conflict);
 *   <li>{@link BatchClaimContract}: batches answer as single calls; contention acquires each key once;
 *   <li>{@link FencingContract}: leases, takeover with higher tokens, stale holders refused;
 *   <li>{@link StoredRecordContract}: outcomes, statuses, {@code find}, retention;
 *   <li>{@link KeyEncodingContract}: unicode, long, binary and invalid keys; namespaces.
 * </ul>
 *
 * <p>A new case goes into the layer whose theme it tests, named as a sentence about the behaviour, working in
 * {@link #ns} and waiting only through {@link #acquireAfterLapse} or Awaitility on the store's own clock; every store
 * module then runs it without a change of its own. A store that cannot keep a case is a store with a bug, not a case
 * to skip.
 *
 * <p>Not thread-safe: JUnit makes one instance per test, which the concurrent cases share with the threads they
 * start and join.
 */
public abstract class DedupStoreContract extends KeyEncodingContract {}
