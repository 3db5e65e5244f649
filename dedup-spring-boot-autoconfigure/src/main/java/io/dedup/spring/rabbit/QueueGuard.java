package io.dedup.spring.rabbit;

import io.dedup.DedupConsumer;
import io.dedup.spring.observation.DedupOutcomes;
import io.dedup.spring.transaction.ClaimScope;
import io.micrometer.observation.Observation;
import java.time.Duration;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import org.springframework.amqp.core.Message;

/**
 * What the deduplication of one queue of one {@code @RabbitListener} container needs: the consumer that claims (its
 * namespace is the queue's unless configured), leased or in the listener's transaction, whether the listener
 * acknowledges itself (MANUAL), the back-off between two claims of a message whose key is held elsewhere, and
 * whether a container consuming the queue is stopping (a waiting message then stops waiting). Thread-safe.
 */
record QueueGuard(
        String listenerId,
        String queue,
        DedupConsumer<Message> dedup,
        ClaimScope scope,
        boolean manualAcks,
        Duration inProgressBackoff,
        BooleanSupplier stopping,
        DedupOutcomes outcomes) {
    QueueGuard {
        Objects.requireNonNull(listenerId, "listenerId");
        Objects.requireNonNull(queue, "queue");
        Objects.requireNonNull(dedup, "dedup");
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(inProgressBackoff, "inProgressBackoff");
        Objects.requireNonNull(stopping, "stopping");
    }

    /** Starts the observation of one message, or returns {@code null} when observations are off. */
    Observation observe() {
        return outcomes == null ? null : outcomes.start(queue);
    }
}
