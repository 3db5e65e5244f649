package io.dedup.spring.kafka;

import io.dedup.DedupConsumer;
import io.dedup.DedupResult;
import io.dedup.spring.observation.DedupOutcomes;
import io.dedup.spring.transaction.ClaimScope;
import io.micrometer.observation.Observation;
import java.time.Duration;
import java.util.Objects;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.listener.ListenerExecutionFailedException;

/**
 * What one deduplicated listener container shares between its consumer threads: the consumer that claims, how
 * (leased or in the listener's transaction), the back-off before a held key is delivered again, and whether the
 * application acknowledges itself. Thread-safe.
 *
 * @param applicationAcks whether the application's container was in a manual ack mode already (its listener
 *     acknowledges what it processed); otherwise the starter switched the container to MANUAL and acknowledges on the
 *     listener's behalf
 * @param outcomes where each record's observation goes; {@code null} when observations are off
 */
record ListenerGuard(
        String listenerId,
        DedupConsumer<ConsumerRecord<?, ?>> dedup,
        ClaimScope scope,
        Duration inProgressBackoff,
        boolean applicationAcks,
        DedupOutcomes outcomes) {
    /** @throws NullPointerException if the listener id, the consumer, the scope or the back-off is null */
    ListenerGuard {
        Objects.requireNonNull(listenerId, "listenerId");
        Objects.requireNonNull(dedup, "dedup");
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(inProgressBackoff, "inProgressBackoff");
    }

    /** Starts the observation of one record, or returns {@code null} when observations are off. */
    Observation observe(ConsumerRecord<?, ?> record) {
        return outcomes == null ? null : outcomes.start(record.topic());
    }

    /** Stops an observation from {@link #observe} with the record's outcome; nothing when it is {@code null}. */
    static void stop(Observation observation, DedupResult<?> result) {
        if (observation != null) {
            DedupOutcomes.stop(observation, result);
        }
    }

    /** Whether the listener ran for this result (so that an application that acks has acked). */
    static boolean listenerRan(DedupResult<?> result) {
        return result instanceof DedupResult.Processed<?> || result instanceof DedupResult.Unguarded<?>;
    }

    /**
     * The exception to hand the container's error handler for a result that must go the failure path: the
     * listener's own exception when it is unchecked, so that the application's error handler classifies it as it
     * would without dedup (its not-retryable exceptions stay not retryable); a checked one wrapped as Spring Kafka
     * wraps it.
     */
    RuntimeException failure(DedupResult<?> result, ConsumerRecord<?, ?> record) {
        Exception cause;
        if (result instanceof DedupResult.Failed<?> failed) {
            cause = failed.error();
        } else if (result instanceof DedupResult.Rejected<?> rejected) {
            cause = rejected.reason();
        } else if (result instanceof DedupResult.Conflict<?> conflict) {
            cause = new io.dedup.IdempotencyConflictException(conflict.key());
        } else {
            cause = new IllegalStateException("unexpected dedup result " + result);
        }
        if (cause instanceof RuntimeException runtime) {
            return runtime;
        }
        return new ListenerExecutionFailedException(
                "listener " + listenerId + " failed on " + record.topic() + "-" + record.partition() + "@"
                        + record.offset(),
                cause);
    }
}
