/**
 * Test support: {@link io.dedup.testkit.DedupStoreContract}, the contract every store passes; {@link
 * io.dedup.testkit.LocalServices}, fixtures that find the Redis, PostgreSQL, MariaDB and RabbitMQ an integration
 * test talks to; {@link io.dedup.testkit.DuplicateInjector} for applications' own tests; and the pieces the modules'
 * tests share instead of copying: {@link io.dedup.testkit.ForwardingStore} and {@link
 * io.dedup.testkit.FaultInjectingStore} (a store that goes down, fails the next calls of one operation, or holds
 * them), {@link io.dedup.testkit.TcpProxy} (network faults), {@link io.dedup.testkit.MutableClock}, {@link
 * io.dedup.testkit.KafkaBroker} (a real broker, one shared per JVM) and {@link io.dedup.testkit.ChildJvm} (crash
 * tests' child processes).
 */
package io.dedup.testkit;
