package io.dedup.examples.payments;

import io.dedup.examples.Cleanup;
import io.dedup.examples.ExampleKafka;
import io.dedup.examples.Payment;
import io.dedup.kafka.DeadLetterHeaders;
import io.dedup.redis.RedisDedupStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;

/**
 * Runs {@link PaymentsConsumer} once: sends 100 payments (20 of them twice), one payment the processor declines and
 * one record without any key, waits until each good payment is charged and the two bad records are in the
 * dead-letter topic, prints what happened, and cleans up.
 *
 * <pre>java -cp examples/target/dedup-demo.jar io.dedup.examples.payments.KafkaPaymentsExample [--bootstrap-servers HOST:PORT]</pre>
 *
 * Needs Redis ({@code DEDUP_REDIS_URI}, default {@code redis://127.0.0.1:6379}); starts a Kafka broker unless one is
 * named.
 *
 * <p>Not thread-safe: a worked example's entry point, run once per JVM.
 */
public final class KafkaPaymentsExample {
    private KafkaPaymentsExample() {}

    /** What a run saw. */
    /**
     * @param charges charges made per payment id: every value must be 1
     * @param deadLetters the records in the dead-letter topic, with the reason in their headers
     */
    public record Outcome(Map<String, Integer> charges, List<ConsumerRecord<String, String>> deadLetters) {}

    /**
     * Runs the example once and prints the charges and the dead letters with their reasons.
     *
     * @throws Exception if Kafka or Redis cannot be reached
     */
    public static void main(String[] args) throws Exception {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        String redisUri = Objects.requireNonNullElse(System.getenv("DEDUP_REDIS_URI"), "redis://127.0.0.1:6379");
        try (ExampleKafka kafka = ExampleKafka.open(args)) {
            Outcome outcome = run(kafka, redisUri, UUID.randomUUID().toString().substring(0, 8));
            long twice = outcome.charges().values().stream().filter(n -> n > 1).count();
            System.out.printf(
                    "charged %d payments, %d of them more than once%n",
                    outcome.charges().size(), twice);
            for (ConsumerRecord<String, String> letter : outcome.deadLetters()) {
                System.out.printf(
                        "dead letter: %s (%s) %s%n",
                        header(letter, DeadLetterHeaders.REASON),
                        header(letter, DeadLetterHeaders.EXCEPTION_MESSAGE),
                        letter.value());
            }
        }
    }

    /**
     * Sends the payments, runs the consumer until it is done with them, and cleans up.
     *
     * @throws Exception if Kafka or Redis fails, or the dead letters do not arrive within a minute
     */
    @SuppressWarnings("try") // the resources are closed by the try; the body does not name them
    public static Outcome run(ExampleKafka kafka, String redisUri, String runId) throws Exception {
        String topic = "payments-" + runId;
        String group = "payments-service-" + runId;
        String keyPrefix = "dedup-example:";
        kafka.createTopics(3, topic, topic + ".DLT");
        PaymentGateway gateway = new PaymentGateway();
        try (RedisDedupStore store =
                RedisDedupStore.builder(redisUri).keyPrefix(keyPrefix).build()) {
            send(kafka, topic);
            try (PaymentsConsumer consumer =
                    PaymentsConsumer.start(kafka.bootstrapServers(), group, topic, store, gateway)) {
                // the two bad records reach the DLT only after the declined one's retries: waiting for them waits for
                // the retries
                List<ConsumerRecord<String, String>> deadLetters =
                        kafka.read(topic + ".DLT", 2, Duration.ofSeconds(60));
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (gateway.charges().size() < 100 && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                return new Outcome(gateway.charges(), deadLetters);
            }
        } finally {
            kafka.deleteTopics(topic, topic + ".DLT");
            kafka.admin().deleteConsumerGroups(List.of(group));
            Cleanup.deleteRedisKeys(redisUri, keyPrefix + group + ":*");
        }
    }

    /**
     * Sends 100 payments keyed by account, every fifth twice (a producer's retry), then the payment the gateway declines
     * and a record with neither header nor payment id.
     */
    private static void send(ExampleKafka kafka, String topic) {
        List<ProducerRecord<String, String>> records = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            Payment payment = new Payment(String.format("pay-%04d", i), "acct-" + (i % 7), 1000 + i);
            records.add(withKey(new ProducerRecord<>(topic, payment.account(), payment.json()), payment));
            if (i % 5 == 0) { // the producer's retry: the same record again
                records.add(withKey(new ProducerRecord<>(topic, payment.account(), payment.json()), payment));
            }
        }
        Payment declined = new Payment("pay-declined", "acct-1", 0);
        records.add(withKey(new ProducerRecord<>(topic, declined.account(), declined.json()), declined));
        records.add(new ProducerRecord<>(topic, "acct-2", "{\"account\":\"acct-2\",\"amountCents\":500}"));
        kafka.send(records);
    }

    /** {@code record} with the payment id in the {@code idempotency-key} header, as the producer sets it. */
    private static ProducerRecord<String, String> withKey(ProducerRecord<String, String> record, Payment payment) {
        record.headers().add("idempotency-key", payment.paymentId().getBytes(StandardCharsets.UTF_8));
        return record;
    }

    /** The last value of header {@code name} as text, or null: how the example reads a dead letter's reason. */
    static String header(ConsumerRecord<?, ?> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
