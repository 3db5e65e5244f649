package io.dedup.spring.kafka;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.kafka.config.ContainerCustomizer;
import org.springframework.kafka.listener.AbstractMessageListenerContainer;

/**
 * Wraps each of the application's own {@link ContainerCustomizer} beans so that, after it ran, the starter's
 * {@link DedupContainerCustomizer} runs too. The application's customizer keeps doing what it did; the starter's is
 * idempotent, so a container customized twice is wrapped once.
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
        return (ContainerCustomizer) container -> {
            application.configure(container);
            delegate.getObject().customizer().deduplicate((AbstractMessageListenerContainer<?, ?>) container);
        };
    }
}
