package io.dedup.spring.rabbit;

import io.dedup.rabbitmq.RabbitKeys;
import io.dedup.spi.DedupStore;
import io.dedup.spring.autoconfigure.DedupAutoConfiguration;
import io.dedup.spring.autoconfigure.DedupProperties;
import io.dedup.spring.observation.DedupOutcomes;
import io.dedup.spring.transaction.TransactionalClaims;
import io.micrometer.observation.ObservationRegistry;
import org.springframework.amqp.rabbit.config.AbstractRabbitListenerContainerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.util.ClassUtils;

/**
 * {@code @RabbitListener} containers deduplicated through their advice chain: every listener container factory gets
 * the starter's claim advice in front of its own chain (Boot's retry interceptor kept) and an attempt recorder at its
 * end; the containers are checked before they start. Acknowledge modes AUTO and MANUAL are supported; NONE is
 * refused at startup.
 */
@AutoConfiguration(
        after = DedupAutoConfiguration.class,
        beforeName = {
            "org.springframework.boot.amqp.autoconfigure.RabbitAutoConfiguration",
            "org.springframework.boot.autoconfigure.amqp.RabbitAutoConfiguration"
        })
@ConditionalOnClass({AbstractRabbitListenerContainerFactory.class, RabbitKeys.class})
@ConditionalOnBooleanProperty(name = "dedup.enabled", matchIfMissing = true)
@ConditionalOnBooleanProperty(name = "dedup.rabbit.enabled", matchIfMissing = true)
public class DedupRabbitAutoConfiguration {
    /** Collects {@code @Deduplicated} {@code @RabbitListener} methods. */
    @Bean
    static DeduplicatedRabbitListeners dedupDeduplicatedRabbitListeners() {
        return new DeduplicatedRabbitListeners();
    }

    /** Puts the claim advice in front of each listener container factory's advice chain. */
    @Bean
    static BeanPostProcessor dedupRabbitAdviceChainComposer(ObjectProvider<DedupRabbitAdvice> advice) {
        return new AdviceChainComposer(advice);
    }

    @Bean
    RabbitGuards dedupRabbitGuards(
            DedupProperties properties,
            DedupStore store,
            DeduplicatedRabbitListeners annotations,
            ApplicationContext context,
            ObjectProvider<ObservationRegistry> observations) {
        DedupOutcomes outcomes = properties.getObservation().isEnabled()
                ? new DedupOutcomes(observations.getIfAvailable(() -> ObservationRegistry.NOOP))
                : null;
        return new RabbitGuards(
                properties,
                store,
                annotations,
                context,
                meterRegistry(context),
                outcomes,
                () -> TransactionalClaims.jdbc(context, store));
    }

    @Bean
    DedupRabbitAdvice dedupRabbitAdvice(RabbitGuards guards) {
        return new DedupRabbitAdvice(guards);
    }

    private static Object meterRegistry(ApplicationContext context) {
        String type = "io.micrometer.core.instrument.MeterRegistry";
        ClassLoader loader = DedupRabbitAutoConfiguration.class.getClassLoader();
        if (!ClassUtils.isPresent(type, loader)) {
            return null;
        }
        return context.getBeanProvider(ClassUtils.resolveClassName(type, loader))
                .getIfUnique();
    }
}
