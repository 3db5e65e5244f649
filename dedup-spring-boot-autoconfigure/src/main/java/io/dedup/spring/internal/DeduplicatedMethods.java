package io.dedup.spring.internal;

import io.dedup.spring.Deduplicated;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.env.Environment;
import org.springframework.util.ReflectionUtils;

/**
 * The {@link Deduplicated} listener methods of the application's beans, by listener id and by destination (topic or
 * queue), with placeholders resolved. A subclass per transport says what a method's listener annotations are
 * ({@link #listeners}); the walk over the beans is the same for both. A bean post-processor rather than a scan at
 * start-up because Spring Kafka and Spring AMQP find their listener methods that way too, so all see the same beans
 * (their target classes, not their proxies).
 *
 * <p>Indexed by destination as well as by id because a listener without an explicit id gets a generated one that the
 * application cannot know, so its annotation is found through the topics or queues its container consumes.
 *
 * <p>Thread-safe: beans are post-processed on the thread that creates them, and containers ask from their own.
 */
public abstract class DeduplicatedMethods implements BeanPostProcessor, EnvironmentAware {
    /** One listener annotation of a method: its id ({@code ""} when it has none) and its destinations. */
    public record Listener(String id, String[] destinations) {}

    private final Map<String, Deduplicated> byId = new ConcurrentHashMap<>();
    private final Map<String, Deduplicated> byDestination = new ConcurrentHashMap<>();
    private volatile Environment environment;

    /** The listener annotations of {@code method}; none when it is no listener of this transport. */
    protected abstract List<Listener> listeners(Method method);

    /** Where placeholders in ids and destinations are resolved; without one they are taken as written. */
    @Override
    public final void setEnvironment(Environment environment) {
        this.environment = environment;
    }

    /** Indexes the {@code @Deduplicated} listener methods of {@code bean}'s class, and returns the bean as it is. */
    @Override
    public final Object postProcessAfterInitialization(Object bean, String beanName) {
        Class<?> type = AopUtils.getTargetClass(bean);
        ReflectionUtils.doWithMethods(type, method -> {
            Deduplicated deduplicated = AnnotatedElementUtils.findMergedAnnotation(method, Deduplicated.class);
            if (deduplicated == null) {
                return;
            }
            for (Listener listener : listeners(method)) {
                if (!listener.id().isEmpty()) {
                    byId.put(resolve(listener.id()), deduplicated);
                }
                for (String destination : listener.destinations()) {
                    byDestination.put(resolve(destination), deduplicated);
                }
            }
        });
        return bean;
    }

    private String resolve(String text) {
        Environment current = environment;
        return current == null ? text : current.resolvePlaceholders(text);
    }

    /** The annotation of the listener with this id, if any. */
    public Optional<Deduplicated> forListener(String listenerId) {
        return listenerId == null ? Optional.empty() : Optional.ofNullable(byId.get(listenerId));
    }

    /** The annotation of a listener on this topic or queue, if any. */
    public Optional<Deduplicated> forDestination(String destination) {
        return destination == null ? Optional.empty() : Optional.ofNullable(byDestination.get(destination));
    }
}
