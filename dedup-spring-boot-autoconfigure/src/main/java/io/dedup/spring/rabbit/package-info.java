/**
 * {@code @RabbitListener} containers deduplicated through their advice chain. Everything here is package-private
 * except the auto-configuration: an application configures it through {@code dedup.rabbit.*} and {@code
 * @Deduplicated}, and never calls it.
 *
 * <p>The parts: {@code DedupRabbitAdvice} claims the key around the rest of the chain; {@code ListenerAttempts}
 * tells it how the listener's attempts ended; {@code ListenerChannel} holds a MANUAL listener's acks and notes its
 * reply; {@code HeldKeyWait} keeps a message whose key is held elsewhere waiting on its consumer; {@code
 * DeliveryAnswer} tells the container what became of the delivery; {@code RabbitGuards} builds one {@code
 * QueueGuard} per deduplicated queue and refuses the containers dedup cannot serve.
 */
package io.dedup.spring.rabbit;
