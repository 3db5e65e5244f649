package io.dedup.spring.rabbit;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.aopalliance.aop.Advice;
import org.springframework.amqp.rabbit.config.AbstractRabbitListenerContainerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;

/**
 * Adds the starter's one advice, the claim, to the advice chain of every {@code @RabbitListener} container factory
 * (Boot's {@code SimpleRabbitListenerContainerFactory} or {@code DirectRabbitListenerContainerFactory}, or the
 * application's own), keeping the chain the factory already has: {@code [dedup claim, ...the application's advices
 * (Boot's retry interceptor from spring.rabbitmq.listener.*.retry)]}. It runs after the factory's
 * bean method, so after Boot's configurer set the retry advice. See {@link DedupRabbitAdvice} for why the claim is
 * outermost. (How the listener's attempts ended is noted by a wrapper of the container's listener, {@link
 * ListenerAttempts#recording}, not by a second advice.) Idempotent: a factory is composed once.
 *
 * <p>Post-processes beans on the thread that creates them; holds no state of its own.
 */
final class AdviceChainComposer implements BeanPostProcessor {
    private final ObjectProvider<DedupRabbitAdvice> advice;

    AdviceChainComposer(ObjectProvider<DedupRabbitAdvice> advice) {
        this.advice = Objects.requireNonNull(advice, "advice");
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (bean instanceof AbstractRabbitListenerContainerFactory<?> factory) {
            compose(factory, advice.getObject());
        }
        return bean;
    }

    /**
     * Puts {@code claim} first in the factory's chain. First, not last: the retry interceptor must run inside the
     * claim, so that its attempts share one key and a duplicate is answered before any attempt.
     */
    static void compose(AbstractRabbitListenerContainerFactory<?> factory, DedupRabbitAdvice claim) {
        Advice[] existing = factory.getAdviceChain();
        List<Advice> chain = new ArrayList<>();
        chain.add(claim);
        if (existing != null) {
            for (Advice advice : existing) {
                if (advice instanceof DedupRabbitAdvice) {
                    return; // composed already
                }
                chain.add(advice);
            }
        }
        factory.setAdviceChain(chain.toArray(new Advice[0]));
    }
}
