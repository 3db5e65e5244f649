/**
 * Test support: {@link io.dedup.testkit.DedupStoreContract}, the contract every store passes; {@link
 * io.dedup.testkit.LocalServices}, fixtures that find the Redis, PostgreSQL, MariaDB and RabbitMQ an integration
 * test talks to; and {@link io.dedup.testkit.DuplicateInjector} for applications' own tests.
 */
package io.dedup.testkit;
