package io.dedup.spring.kafka;

import io.dedup.spring.Deduplicated;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.env.Environment;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.util.ReflectionUtils;

/**
 * Finds the {@link Deduplicated} {@code @KafkaListener} methods of every bean, by the listener's {@code id} (the
 * container's listener id) and by each of its topics, with placeholders resolved. Thread-safe.
 */
public final class DeduplicatedListeners implements BeanPostProcessor, EnvironmentAware {
    private final Map<String, Deduplicated> byId = new ConcurrentHashMap<>();
    private final Map<String, Deduplicated> byTopic = new ConcurrentHashMap<>();
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
            KafkaListener listener = AnnotatedElementUtils.findMergedAnnotation(method, KafkaListener.class);
            if (deduplicated == null || listener == null) {
                return;
            }
            if (!listener.id().isEmpty()) {
                byId.put(resolve(listener.id()), deduplicated);
            }
            for (String topic : listener.topics()) {
                byTopic.put(resolve(topic), deduplicated);
            }
        });
        return bean;
    }

    private String resolve(String text) {
        return environment == null ? text : environment.resolvePlaceholders(text);
    }

    /** The annotation of the listener with this container id, if any. */
    Optional<Deduplicated> forListener(String listenerId) {
        return listenerId == null ? Optional.empty() : Optional.ofNullable(byId.get(listenerId));
    }

    /** The annotation of a listener on this topic, if any. */
    Optional<Deduplicated> forTopic(String topic) {
        return Optional.ofNullable(byTopic.get(topic));
    }
}
