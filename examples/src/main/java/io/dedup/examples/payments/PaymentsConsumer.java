package io.dedup.examples.payments;

import io.dedup.examples.Payment;
import io.dedup.kafka.KafkaDedup;
import io.dedup.kafka.KafkaDedupRunner;
import io.dedup.kafka.RecordKeys;
import io.dedup.redis.RedisDedupStore;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Kafka payments with the Redis store and a dead-letter topic: a consumer that charges each payment of a topic at
 * most once, with the processed keys in Redis so that every instance of the service shares them, and that sends what
 * it cannot charge to {@code <topic>.DLT} with the reason in headers:
 *
 * <ul>
 *   <li>the key is the {@code idempotency-key} header, or, for producers that do not set it, the payment's {@code
 *       paymentId} field;
 *   <li>a payment the processor declines is tried three times (200 ms, then 400 ms apart), then dead-lettered as
 *       {@code HANDLER_FAILED} and the offset moves on;
 *   <li>a record with neither header nor {@code paymentId} is dead-lettered as {@code KEY_MISSING}, unreadable JSON
 *       without a header as {@code KEY_UNREADABLE}: nothing is dropped silently.
 * </ul>
 *
 * Thread-safe: {@link #close()} from any thread.
 */
public final class PaymentsConsumer implements AutoCloseable {
    /** The runner; it polls on its own thread from {@link #start} until {@link #close}. */
    private final KafkaDedupRunner<String, String> runner;

    private PaymentsConsumer(KafkaDedupRunner<String, String> runner) {
        this.runner = runner;
    }

    /**
     * Starts consuming {@code topic} in consumer group {@code group}, which is also the namespace of the keys.
     *
     * @param store the Redis store; the caller keeps it and closes it after this consumer
     */
    public static PaymentsConsumer start(
            String bootstrapServers, String group, String topic, RedisDedupStore store, PaymentGateway gateway) {
        Objects.requireNonNull(gateway, "gateway");
        Map<String, Object> config = Map.of(
                "bootstrap.servers", bootstrapServers,
                "group.id", group,
                "auto.offset.reset", "earliest");
        KafkaDedupRunner<String, String> runner = KafkaDedupRunner.builder(
                        config, new StringDeserializer(), new StringDeserializer())
                .topics(topic)
                .dedup(KafkaDedup.builder()
                        .store(store)
                        // the header when the producer set it, else the payment's own id: never the record offset
                        .topicKeys(topic, RecordKeys.chain(RecordKeys.header(), RecordKeys.jsonPointer("/paymentId")))
                        .deadLetterTopic(topic, topic + ".DLT")
                        // a decline may be transient: three tries with back-off before the dead-letter topic
                        .retries(3, Duration.ofMillis(200), Duration.ofSeconds(2)))
                .handler(record -> gateway.charge(Payment.parse(record.value())))
                .build();
        runner.start();
        return new PaymentsConsumer(runner);
    }

    /** Finishes the batch in hand, commits, leaves the group. */
    @Override
    public void close() {
        runner.close();
    }
}
