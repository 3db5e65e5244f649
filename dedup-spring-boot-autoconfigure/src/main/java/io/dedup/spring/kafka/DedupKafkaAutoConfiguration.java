package io.dedup.spring.kafka;

import io.dedup.kafka.RecordKeys;
import io.dedup.spi.DedupStore;
import io.dedup.spring.autoconfigure.DedupAutoConfiguration;
import io.dedup.spring.autoconfigure.DedupProperties;
import io.dedup.spring.internal.ListenerConsumers;
import io.micrometer.observation.ObservationRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.config.ContainerCustomizer;

/**
 * {@code @KafkaListener} containers deduplicated: a {@link DedupContainerCustomizer} that Boot's container factory
 * applies, composed with the application's own {@code ContainerCustomizer} beans when it has any (Boot applies a
 * customizer only when it is the only one, so the starter never adds a second: it wraps the application's).
 *
 * <p>Its beans are created by Spring on one thread; the customizer they publish is thread-safe. Start-up fails with
 * an {@code IllegalStateException} naming the listener when a container uses async acks, and with an {@code
 * IllegalArgumentException} when a key setting does not parse.
 */
@AutoConfiguration(
        after = DedupAutoConfiguration.class,
        beforeName = {
            "org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration",
            "org.springframework.boot.autoconfigure.kafka.KafkaAutoConfiguration"
        })
@ConditionalOnClass({ContainerCustomizer.class, RecordKeys.class})
@ConditionalOnBooleanProperty(name = "dedup.enabled", matchIfMissing = true)
@ConditionalOnBooleanProperty(name = "dedup.kafka.enabled", matchIfMissing = true)
public class DedupKafkaAutoConfiguration {
    /**
     * Collects {@code @Deduplicated} listener methods. Static, as every bean post-processor here: Spring creates
     * post-processors before other beans, and a static factory method does not need this configuration's instance.
     */
    @Bean
    static DeduplicatedListeners dedupDeduplicatedListeners() {
        return new DeduplicatedListeners();
    }

    /** Composes the starter's customizer into each of the application's own {@code ContainerCustomizer} beans. */
    @Bean
    public static BeanPostProcessor dedupContainerCustomizerComposer(ObjectProvider<DedupDelegate> delegate) {
        return new ContainerCustomizerComposer(delegate);
    }

    /** The customizer itself, published as a bean only when the application has none of its own. */
    @Bean
    public DedupDelegate dedupContainerCustomizerDelegate(
            DedupProperties properties,
            DedupStore store,
            DeduplicatedListeners annotations,
            ApplicationContext context,
            ObjectProvider<ObservationRegistry> observations) {
        return new DedupDelegate(new DedupContainerCustomizer(
                new ListenerConsumers(properties, store, context, observations), annotations));
    }

    /**
     * Boot's container factory applies a {@code ContainerCustomizer} bean only when there is exactly one, so the
     * starter's is a bean only when the application has none: an application's own customizer wins the slot, and
     * {@link #dedupContainerCustomizerComposer} makes it deduplicate as well.
     */
    @Bean
    @ConditionalOnMissingBean(ContainerCustomizer.class)
    public DedupContainerCustomizer dedupContainerCustomizer(DedupDelegate delegate) {
        return delegate.customizer();
    }

    /** Holds the customizer without being one, so that it never counts among the ContainerCustomizer beans. */
    public static final class DedupDelegate implements org.springframework.beans.factory.DisposableBean {
        private final DedupContainerCustomizer customizer;

        DedupDelegate(DedupContainerCustomizer customizer) {
            this.customizer = customizer;
        }

        public DedupContainerCustomizer customizer() {
            return customizer;
        }

        @Override
        public void destroy() {
            customizer.destroy();
        }
    }
}
