package io.dedup.spring.kafka;

import io.dedup.spring.Deduplicated;
import io.dedup.spring.internal.DeduplicatedMethods;
import java.util.List;
import java.util.Optional;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.env.Environment;
import org.springframework.kafka.annotation.KafkaListener;

/**
 * Finds the {@link Deduplicated} {@code @KafkaListener} methods of every bean, by the listener's {@code id} (the
 * container's listener id) and by each of its topics, with placeholders resolved. A bean post-processor rather than
 * a scan at start-up because Spring Kafka itself finds listener methods that way, so both see the same beans.
 *
 * <p>Thread-safe.
 */
public final class DeduplicatedListeners implements BeanPostProcessor, EnvironmentAware {
    private final DeduplicatedMethods methods = new DeduplicatedMethods(method -> {
        KafkaListener listener = AnnotatedElementUtils.findMergedAnnotation(method, KafkaListener.class);
        return listener == null
                ? List.of()
                : List.of(new DeduplicatedMethods.Listener(listener.id(), listener.topics()));
    });

    @Override
    public void setEnvironment(Environment environment) {
        methods.setEnvironment(environment);
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        methods.index(bean);
        return bean;
    }

    /** The annotation of the listener with this container id, if any. */
    Optional<Deduplicated> forListener(String listenerId) {
        return methods.forListener(listenerId);
    }

    /** The annotation of a listener on this topic, if any. */
    Optional<Deduplicated> forTopic(String topic) {
        return methods.forDestination(topic);
    }
}
