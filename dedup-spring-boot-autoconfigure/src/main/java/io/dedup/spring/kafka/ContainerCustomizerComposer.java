package io.dedup.spring.kafka;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.kafka.config.ContainerCustomizer;
import org.springframework.kafka.listener.AbstractMessageListenerContainer;

/**
 * Wraps each of the application's own {@link ContainerCustomizer} beans so that, after it ran, the starter's
 * {@link DedupContainerCustomizer} runs too. The application's customizer keeps doing what it did; the starter's is
 * idempotent, so a container customized twice is wrapped once.
 *
 * <p>Thread-safe: the wrapped customizers are called on whatever thread creates a container.
 */
final class ContainerCustomizerComposer implements BeanPostProcessor {
    private final ObjectProvider<DedupKafkaAutoConfiguration.DedupDelegate> delegate;

    ContainerCustomizerComposer(ObjectProvider<DedupKafkaAutoConfiguration.DedupDelegate> delegate) {
        this.delegate = delegate;
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (!(bean instanceof ContainerCustomizer application) || bean instanceof DedupContainerCustomizer) {
            return bean;
        }
        // The application's customizer first: it may set the ack mode or the listener that deduplicate() reads.
        return (ContainerCustomizer) container -> {
            application.configure(container);
            // Resolved when a container is customized, not when the customizer is wrapped: this is a bean
            // post-processor, created before ordinary beans, and pulling in the delegate (and the store) that early
            // would keep those beans from being post-processed themselves.
            delegate.getObject().customizer().deduplicate((AbstractMessageListenerContainer<?, ?>) container);
        };
    }
}
