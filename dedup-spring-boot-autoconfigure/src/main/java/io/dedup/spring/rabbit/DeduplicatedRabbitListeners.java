package io.dedup.spring.rabbit;

import io.dedup.spring.Deduplicated;
import io.dedup.spring.internal.DeduplicatedMethods;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Optional;
import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.core.annotation.AnnotatedElementUtils;

/**
 * Finds the {@link Deduplicated} {@code @RabbitListener} methods of every bean, by the listener's {@code id} and by
 * each of its queues, with placeholders resolved. A method may carry several {@code @RabbitListener}s (the annotation
 * is repeatable); each one's id and queues are indexed.
 *
 * <p>Thread-safe.
 */
final class DeduplicatedRabbitListeners extends DeduplicatedMethods {
    @Override
    protected List<Listener> listeners(Method method) {
        return AnnotatedElementUtils.findMergedRepeatableAnnotations(method, RabbitListener.class).stream()
                .map(listener -> new Listener(listener.id(), listener.queues()))
                .toList();
    }

    /** The annotation of a listener consuming this queue, if any. */
    Optional<Deduplicated> forQueue(String queue) {
        return forDestination(queue);
    }
}
