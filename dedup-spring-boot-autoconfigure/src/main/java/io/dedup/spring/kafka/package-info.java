/**
 * {@code @KafkaListener} containers deduplicated by wrapping their listener. Public: {@link
 * io.dedup.spring.kafka.DedupContainerCustomizer}, for an application that builds its own container factory and
 * sets the customizer itself, and the listener wrappers, which such an application may meet in its container. The
 * rest is package-private machinery.
 *
 * <p>Why a listener wrapper: the listener's call then runs inside the claim (its key's lease renewed while it runs,
 * the key settled by how the call ended), and the wrapper holds the call's {@code Acknowledgment}, through which a
 * record whose key is held elsewhere goes back to the container. The application's interceptors, error handler and
 * transaction manager stay where they are, around the wrapper.
 */
package io.dedup.spring.kafka;
