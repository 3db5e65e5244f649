/**
 * How the starter works, shared by its Kafka and RabbitMQ integrations: building each listener's consumer from
 * {@code dedup.*} and finding the {@code @Deduplicated} listener methods. Not an API: anything here may change in
 * any release; applications configure the starter through {@code dedup.*} and {@code @Deduplicated} only.
 */
package io.dedup.spring.internal;
