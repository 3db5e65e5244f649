/**
 * Test support: {@link io.dedup.testkit.DedupStoreContract}, the contract every store passes; {@link
 * io.dedup.testkit.LocalServices}, fixtures that find the Redis, PostgreSQL, MariaDB and RabbitMQ an integration
 * test talks to; {@link io.dedup.testkit.DuplicateInjector} for applications' own tests; and the pieces the modules'
 * tests share instead of copying: {@link io.dedup.testkit.ForwardingStore} and {@link
 * io.dedup.testkit.FaultInjectingStore} (a store that goes down, fails the next calls of one operation, or holds
 * them), {@link io.dedup.testkit.TcpProxy} (network faults), {@link io.dedup.testkit.MutableClock}, {@link
 * io.dedup.testkit.KafkaBroker} (a real broker, one shared per JVM) and {@link io.dedup.testkit.ChildJvm} (crash
 * tests' child processes).
 *
 * <h2>How a store is held to the contract</h2>
 *
 * <p>Two kits, run by every store module with a subclass of a few lines:
 *
 * <ul>
 *   <li>{@link io.dedup.testkit.DedupStoreContract}: example cases, one per promise of DESIGN §1 and §5, in themed
 *       layers ({@link io.dedup.testkit.ClaimContract}, {@link io.dedup.testkit.BatchClaimContract}, {@link
 *       io.dedup.testkit.FencingContract}, {@link io.dedup.testkit.StoredRecordContract}, {@link
 *       io.dedup.testkit.KeyEncodingContract}). They name the behaviour a store gets wrong.
 *   <li>{@link io.dedup.testkit.StoreModelCheck}: random concurrent histories judged against the sequential model
 *       of a key's record (DESIGN §10). It finds the interleavings nobody thought to write down; a failure prints
 *       the seed that replays it.
 * </ul>
 *
 * <p>Both judge time by the store's own clock: a store with an injected clock is moved with {@link
 * io.dedup.testkit.MutableClock}; a store on its server's clock is polled (contract) or given a tolerance (model
 * check), so that no case sleeps a fixed time and no correct store fails on a slow machine.
 *
 * <h2>Dependencies</h2>
 *
 * <p>JUnit, AssertJ and Awaitility are compile dependencies, since the kits are tests; Kafka and Testcontainers are
 * optional, so a store module that runs the contract kit inherits neither. Types in this package that are not
 * public (the model checker's runner and judge, the broker's process) are machinery and may change.
 */
package io.dedup.testkit;
