package io.dedup.spring.rabbit;

import io.dedup.spring.Deduplicated;
import io.dedup.spring.internal.DeduplicatedMethods;
import java.util.Optional;
import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.env.Environment;

/**
 * Finds the {@link Deduplicated} {@code @RabbitListener} methods of every bean, by the listener's {@code id} and by
 * each of its queues, with placeholders resolved. A method may carry several {@code @RabbitListener}s (the annotation
 * is repeatable); each one's id and queues are indexed.
 *
 * <p>Thread-safe.
 */
final class DeduplicatedRabbitListeners implements BeanPostProcessor, EnvironmentAware {
    private final DeduplicatedMethods methods = new DeduplicatedMethods(
            method -> AnnotatedElementUtils.findMergedRepeatableAnnotations(method, RabbitListener.class).stream()
                    .map(listener -> new DeduplicatedMethods.Listener(listener.id(), listener.queues()))
                    .toList());

    @Override
    public void setEnvironment(Environment environment) {
        methods.setEnvironment(environment);
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        methods.index(bean);
        return bean;
    }

    /** The annotation of the listener with this id, if any. */
    Optional<Deduplicated> forListener(String listenerId) {
        return methods.forListener(listenerId);
    }

    /** The annotation of a listener consuming this queue, if any. */
    Optional<Deduplicated> forQueue(String queue) {
        return methods.forDestination(queue);
    }
}
