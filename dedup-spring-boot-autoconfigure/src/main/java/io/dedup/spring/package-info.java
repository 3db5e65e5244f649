/**
 * What a Spring Boot application uses of dedup: {@link io.dedup.spring.Deduplicated} on a {@code @KafkaListener} or
 * {@code @RabbitListener} method, and the {@code dedup.*} properties ({@link
 * io.dedup.spring.autoconfigure.DedupProperties}). Adding the starter is enough: every listener is deduplicated by
 * its container, without changes to the listener's code.
 *
 * <p>The subpackages: {@code autoconfigure} (the store, the properties), {@code kafka} and {@code rabbit} (one
 * integration per broker, each its own auto-configuration that backs off when its broker library is absent), {@code
 * observation} (the Micrometer observation of each message), {@code transaction} (claims in the listener's JDBC
 * transaction) and {@code internal} (what the two integrations share; not an API).
 */
package io.dedup.spring;
