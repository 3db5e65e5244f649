package io.dedup.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Says where the idempotency key of a {@code @KafkaListener} or {@code @RabbitListener} method's messages is, and
 * optionally its namespace. The starter finds the method's listener by its {@code id} (or, without one, by its topics
 * or queues) and deduplicates its container with this key. Properties ({@code dedup.kafka.listeners.<id>.key}, {@code
 * dedup.rabbit.listeners.<id>.key}) win over the annotation.
 *
 * <pre>{@code
 * @KafkaListener(id = "payments", topics = "payments")
 * @Deduplicated(key = "header:event-id")
 * void onPayment(Payment payment) { ... }
 * }</pre>
 *
 * <p>Read when the listener's container is set up, for most containers at start-up: a key that does not parse fails
 * there with an {@code IllegalArgumentException} naming it.
 *
 * <p>An annotation: immutable, read once when the listener's container starts.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface Deduplicated {
    /**
     * Where the key is. Kafka: a comma-separated chain of {@code header[:NAME]}, {@code record-key}, {@code
     * json-pointer:/POINTER}, {@code content-hash[:HEADER1+HEADER2]}. RabbitMQ: of {@code message-id}, {@code
     * header[:NAME]}, {@code json:/POINTER}, {@code content-hash}.
     */
    String key();

    /** The namespace of its keys; empty: {@code dedup.namespace}, then the consumer group or queue. */
    String namespace() default "";

    /** Set false to leave this listener undeduplicated even when the starter would cover it. */
    boolean enabled() default true;
}
