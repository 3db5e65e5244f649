package io.dedup.spring.rabbit;

import io.dedup.spring.Deduplicated;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.env.Environment;
import org.springframework.util.ReflectionUtils;

/**
 * Finds the {@link Deduplicated} {@code @RabbitListener} methods of every bean, by the listener's {@code id} and by
 * each of its queues, with placeholders resolved. Thread-safe.
 */
final class DeduplicatedRabbitListeners implements BeanPostProcessor, EnvironmentAware {
    private final Map<String, Deduplicated> byId = new ConcurrentHashMap<>();
    private final Map<String, Deduplicated> byQueue = new ConcurrentHashMap<>();
    private Environment environment;

    @Override
    public void setEnvironment(Environment environment) {
        this.environment = environment;
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        Class<?> type = AopUtils.getTargetClass(bean);
        ReflectionUtils.doWithMethods(type, method -> {
            Deduplicated deduplicated = AnnotatedElementUtils.findMergedAnnotation(method, Deduplicated.class);
            if (deduplicated == null) {
                return;
            }
            for (RabbitListener listener :
                    AnnotatedElementUtils.findMergedRepeatableAnnotations(method, RabbitListener.class)) {
                if (!listener.id().isEmpty()) {
                    byId.put(resolve(listener.id()), deduplicated);
                }
                for (String queue : listener.queues()) {
                    byQueue.put(resolve(queue), deduplicated);
                }
            }
        });
        return bean;
    }

    private String resolve(String text) {
        return environment == null ? text : environment.resolvePlaceholders(text);
    }

    Optional<Deduplicated> forListener(String listenerId) {
        return listenerId == null ? Optional.empty() : Optional.ofNullable(byId.get(listenerId));
    }

    Optional<Deduplicated> forQueue(String queue) {
        return Optional.ofNullable(byQueue.get(queue));
    }
}
