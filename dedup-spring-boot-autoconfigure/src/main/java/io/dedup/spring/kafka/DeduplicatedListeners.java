package io.dedup.spring.kafka;

import io.dedup.spring.Deduplicated;
import io.dedup.spring.internal.DeduplicatedMethods;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Optional;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.kafka.annotation.KafkaListener;

/**
 * Finds the {@link Deduplicated} {@code @KafkaListener} methods of every bean, by the listener's {@code id} (the
 * container's listener id) and by each of its topics, with placeholders resolved. A topic pattern is not indexed:
 * its topics are known only once the container subscribes, so such a listener is found by its id.
 *
 * <p>Thread-safe.
 */
final class DeduplicatedListeners extends DeduplicatedMethods {
    @Override
    protected List<Listener> listeners(Method method) {
        KafkaListener listener = AnnotatedElementUtils.findMergedAnnotation(method, KafkaListener.class);
        return listener == null ? List.of() : List.of(new Listener(listener.id(), listener.topics()));
    }

    /** The annotation of a listener on this topic, if any. */
    Optional<Deduplicated> forTopic(String topic) {
        return forDestination(topic);
    }
}
