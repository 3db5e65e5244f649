package io.dedup.kafka;

import io.dedup.spi.DedupStore;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The runner unit tests' set-up: a runner over a {@link MockConsumer} reading topic {@code orders} as group
 * {@code g} (so keys live in namespace {@code g}), with String keys and values, and the dedup settings they vary.
 */
final class MockRunners {
    private MockRunners() {}

    /** A runner builder over {@code consumer}; the caller adds the dedup, the handler and any backoff. */
    static KafkaDedupRunnerBuilder<String, String> builder(MockConsumer<byte[], byte[]> consumer) {
        return KafkaDedupRunner.builder(Map.of("group.id", "g"), new StringDeserializer(), new StringDeserializer())
                .consumer(consumer)
                .topics("orders");
    }

    /** Dedup over {@code store} that tries a record {@code attempts} times {@code backoff} apart, then dead-letters it. */
    static KafkaDedup.Builder dedup(DedupStore store, int attempts, Duration backoff, DeadLetterPublisher deadLetters) {
        return KafkaDedup.builder()
                .store(store)
                .retries(attempts, backoff, backoff)
                .deadLetters(deadLetters);
    }
}
