package io.dedup.examples.readme;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DeliverCallback;
import io.dedup.kafka.KafkaDedup;
import io.dedup.kafka.KafkaDedupRunner;
import io.dedup.kafka.RecordKeys;
import io.dedup.rabbitmq.RabbitDedup;
import io.dedup.rabbitmq.RabbitKeys;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;

/** The README's Kafka and RabbitMQ code blocks, compiled; ReadmeSnippetsTest checks the README shows this code. */
final class AdaptersQuickStart {
    /** The payment the Kafka snippet's producer sends: its id is the idempotency key, its account the record key. */
    record Payment(String id, String account, String json) {}

    private AdaptersQuickStart() {}

    /** The README's Kafka quick start: the producer sets the key header, the runner dedups on it. */
    static void kafka(Producer<String, String> producer, Payment payment) {
        // README: kafka quick start
        Map<String, Object> config = Map.of(
                "bootstrap.servers", "localhost:9092",
                "group.id", "billing", // also the namespace of the keys
                "auto.offset.reset", "earliest");
        KafkaDedupRunner<String, String> runner = KafkaDedupRunner.builder(
                        config, new StringDeserializer(), new StringDeserializer())
                .topics("payments")
                .handler(record -> charge(record.value())) // at most once per idempotency-key header
                .build();
        runner.start(); // polls, claims, runs, records, then commits; what fails goes to payments.DLT
        // end
        // README: kafka producer
        ProducerRecord<String, String> record = new ProducerRecord<>("payments", payment.account(), payment.json());
        record.headers().add("idempotency-key", payment.id().getBytes(StandardCharsets.UTF_8));
        producer.send(record);
        // end
        runner.close();
    }

    /**
     * The README's RabbitMQ quick start: the work queue declared by the application, the adapter wrapping its callback.
     */
    static void rabbit() throws Exception {
        // README: rabbitmq quick start
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri("amqp://guest:guest@localhost:5672");
        Connection connection = factory.newConnection();
        Channel channel = connection.createChannel();
        channel.basicQos(100); // the prefetch window, claimed in one store round trip
        channel.queueDeclare("orders", true, false, false, null); // the work queue is yours: declare it as you need it

        RabbitDedup orders = RabbitDedup.builder("orders") // the queue; also the namespace of the keys
                .declareTopology() // orders.dedup.retry (delayed redelivery) and orders.dedup.dlq
                .build(); // store: the store module on the classpath, else in-memory
        DeliverCallback ship = (tag, delivery) -> shipOrder(delivery.getBody()); // no basicAck in here
        channel.basicConsume("orders", false, orders.wrap(channel, ship), tag -> {});
        // end
    }

    /** The README's per-topic key configuration. */
    static KafkaDedupRunner<String, String> perTopic(Map<String, Object> config) {
        // README: kafka keys
        KafkaDedup.Builder billing = KafkaDedup.builder()
                .keys(RecordKeys.header("event-id")) // every topic of the group
                .topicKeys("payments", RecordKeys.jsonPointer("/paymentId")) // this topic
                .topicKeys("refunds", RecordKeys.chain(RecordKeys.header(), RecordKeys.contentHash()))
                .deadLetterTopic("payments", "payments-quarantine")
                .retries(5, Duration.ofSeconds(1), Duration.ofMinutes(1));
        KafkaDedupRunner<String, String> runner = KafkaDedupRunner.builder(
                        config, new StringDeserializer(), new StringDeserializer())
                .topics("payments", "refunds")
                .dedup(billing)
                .handler(record -> book(record.topic(), record.value()))
                .build();
        // end
        return runner;
    }

    /** The README's per-queue key configuration. */
    static RabbitDedup perQueue() {
        // README: rabbitmq keys
        RabbitDedup invoices = RabbitDedup.builder("invoices")
                .keys(RabbitKeys.header("invoice-key").orElse(RabbitKeys.messageId()))
                .namespace("billing-invoices")
                .maxAttempts(5)
                .redeliveryDelay(Duration.ofSeconds(2))
                .build();
        // end
        return invoices;
    }

    /** The application's own work, which the snippets call; empty here. */
    static void charge(String payment) {}

    static void book(String topic, String value) {}

    static void shipOrder(byte[] body) {}
}
