package io.dedup.spring.autoconfigure;

import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code dedup.kafka.listeners.<id>.*} and {@code dedup.rabbit.listeners.<id>.*}: one listener's own settings, keyed
 * by its listener id. They win over the listener's {@code @Deduplicated} annotation, so that an operator can change a
 * deployed application's key or turn a listener off without a rebuild; an empty value falls through to the
 * annotation, then the per-topic or per-queue setting, then the transport's default.
 *
 * <p>Immutable and thread-safe; bound by Spring through its constructor.
 *
 * @param enabled Whether this listener is deduplicated
 * @param key Where its messages' key is; empty: per topic or queue, then dedup.kafka.key or dedup.rabbit.key
 * @param namespace Its namespace; empty: dedup.namespace, then its consumer group (Kafka) or queue (RabbitMQ)
 */
public record DedupListenerProperties(@DefaultValue("true") boolean enabled, String key, String namespace) {}
