package io.dedup.spring.rabbit;

import io.dedup.rabbitmq.RabbitKeys;
import io.dedup.spi.DedupStore;
import io.dedup.spring.autoconfigure.DedupAutoConfiguration;
import io.dedup.spring.autoconfigure.DedupProperties;
import io.dedup.spring.internal.ListenerConsumers;
import io.micrometer.observation.ObservationRegistry;
import org.springframework.amqp.rabbit.config.AbstractRabbitListenerContainerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * {@code @RabbitListener} containers deduplicated through their advice chain: every listener container factory gets
 * the starter's claim advice in front of its own chain (Boot's retry interceptor kept), and each container's listener
 * is wrapped to note its attempts; the containers are checked before they start. Acknowledge modes AUTO and MANUAL
 * are supported; NONE is refused at startup.
 *
 * <p>Its beans are created by Spring on one thread; the guards and the advice they share are thread-safe. Start-up
 * fails with an {@code IllegalStateException} naming the listener when a container cannot be deduplicated.
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
    /**
     * Collects {@code @Deduplicated} {@code @RabbitListener} methods. Static, as every bean post-processor here:
     * Spring creates post-processors before other beans, and a static factory method does not need this
     * configuration's instance.
     */
    @Bean
    static DeduplicatedRabbitListeners dedupDeduplicatedRabbitListeners() {
        return new DeduplicatedRabbitListeners();
    }

    /**
     * Puts the claim advice in front of each listener container factory's advice chain. Given a provider, not the
     * advice: the advice needs the store, which must not be created while post-processors are.
     */
    @Bean
    static BeanPostProcessor dedupRabbitAdviceChainComposer(ObjectProvider<DedupRabbitAdvice> advice) {
        return new AdviceChainComposer(advice);
    }

    /** The guards of the deduplicated queues; checks the containers before they start, closes the consumers. */
    @Bean
    RabbitGuards dedupRabbitGuards(
            DedupProperties properties,
            DedupStore store,
            DeduplicatedRabbitListeners annotations,
            ApplicationContext context,
            ObjectProvider<ObservationRegistry> observations) {
        return new RabbitGuards(new ListenerConsumers(properties, store, context, observations), annotations, context);
    }

    /** The claim advice; the composer puts it first in each factory's chain (see {@link AdviceChainComposer}). */
    @Bean
    DedupRabbitAdvice dedupRabbitAdvice(RabbitGuards guards) {
        return new DedupRabbitAdvice(guards);
    }
}
