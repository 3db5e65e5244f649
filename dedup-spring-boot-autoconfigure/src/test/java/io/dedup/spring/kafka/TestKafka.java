package io.dedup.spring.kafka;

import io.dedup.spring.fixture.EventCounts;
import io.dedup.testkit.KafkaBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.BatchInterceptor;
import org.springframework.kafka.listener.RecordInterceptor;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * One Kafka broker for the module's tests, started on first use and stopped when the JVM exits, and what every
 * Kafka test application does with it: connect, create its topic, send a record with an {@code event-id} header, and
 * count the deliveries and runs of its listeners.
 */
final class TestKafka {
    private static KafkaBroker broker;

    private TestKafka() {}

    static synchronized KafkaBroker broker() {
        if (broker == null) {
            KafkaBroker started = KafkaBroker.start();
            Runtime.getRuntime().addShutdownHook(new Thread(started::close, "test-kafka-stop"));
            broker = started;
        }
        return broker;
    }

    /**
     * Points a test application at the broker: bootstrap servers, reading from the earliest offset (a listener
     * assigned after the test sent must still see the records), and a topic and group of this application's own in
     * {@code test.topic} / {@code test.group}, for the placeholders of its {@code @KafkaListener} and for the test.
     */
    static void connect(DynamicPropertyRegistry registry) {
        String topic = unique("topic");
        String group = unique("group");
        registry.add("spring.kafka.bootstrap-servers", () -> broker().bootstrapServers());
        registry.add("spring.kafka.consumer.auto-offset-reset", () -> "earliest");
        registry.add("test.topic", () -> topic);
        registry.add("test.group", () -> group);
    }

    /** A topic of one partition (so that the order of records is the order they were sent) and one replica. */
    static NewTopic topic(String name) {
        return TopicBuilder.name(name).partitions(1).replicas(1).build();
    }

    /** Creates the topic {@link #connect} named in {@code test.topic}, for a test application to {@code @Import}. */
    @Configuration(proxyBeanMethods = false)
    static class TestTopic {
        @Bean
        NewTopic testTopic(@Value("${test.topic}") String name) {
            return topic(name);
        }
    }

    /**
     * The application's own record interceptor, for a test application to {@code @Import}: it tells the application's
     * {@link EventCounts} of every delivery to a record listener, duplicates and redeliveries included, which the
     * starter must leave in place.
     */
    @Configuration(proxyBeanMethods = false)
    static class RecordAttempts {
        @Bean
        RecordInterceptor<Object, Object> recordAttempts(EventCounts calls) {
            return new RecordInterceptor<>() {
                @Override
                public ConsumerRecord<Object, Object> intercept(
                        ConsumerRecord<Object, Object> record, Consumer<Object, Object> consumer) {
                    calls.attempt(eventId(record));
                    return record;
                }
            };
        }
    }

    /** As {@link RecordAttempts}, for batch listeners: every record of every delivered batch. */
    @Configuration(proxyBeanMethods = false)
    static class BatchAttempts {
        @Bean
        BatchInterceptor<Object, Object> batchAttempts(EventCounts calls) {
            return (records, consumer) -> {
                records.forEach(r -> calls.attempt(eventId(r)));
                return records;
            };
        }
    }

    /** Notes the effect of each record of a batch, as the tests' batch listeners do when they process it. */
    static void ranAll(EventCounts calls, List<? extends ConsumerRecord<?, ?>> records) {
        for (ConsumerRecord<?, ?> record : records) {
            calls.ran(eventId(record));
        }
    }

    /** The event ids of {@code records}, in order. */
    static List<String> eventIds(List<? extends ConsumerRecord<?, ?>> records) {
        return records.stream().map(TestKafka::eventId).toList();
    }

    /** The record the tests send: {@code prefix + eventId} as the value, the id in the {@code event-id} header. */
    static ProducerRecord<String, String> record(String topic, String prefix, String eventId) {
        ProducerRecord<String, String> record = new ProducerRecord<>(topic, prefix + eventId);
        record.headers().add("event-id", eventId.getBytes(StandardCharsets.UTF_8));
        return record;
    }

    /** Sends {@code "payload of " + eventId} with its {@code event-id} header; not flushed. */
    static void send(KafkaTemplate<String, String> template, String topic, String eventId) {
        template.send(record(topic, "payload of ", eventId));
    }

    /** A header's value as text, or {@code null} when the record has none. */
    static String header(ConsumerRecord<?, ?> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    /** The {@code event-id} header the tests key records by. */
    static String eventId(ConsumerRecord<?, ?> record) {
        return header(record, "event-id");
    }

    /**
     * The offset {@code group} has committed on partition 0 of {@code topic} (the next record it will read), or -1
     * when it has committed none.
     */
    static long committed(String group, String topic) {
        try (Admin admin =
                Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker().bootstrapServers()))) {
            OffsetAndMetadata offset = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata()
                    .get(30, TimeUnit.SECONDS)
                    .get(new TopicPartition(topic, 0));
            return offset == null ? -1 : offset.offset();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted reading the offsets of " + group, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not read the offsets of " + group, e);
        }
    }

    /** Sends a record as {@link #send} does and waits for the broker's answer: its offset. */
    static long sendForOffset(KafkaTemplate<String, String> template, String topic, String eventId) {
        try {
            return template.send(record(topic, "payload of ", eventId))
                    .get(30, TimeUnit.SECONDS)
                    .getRecordMetadata()
                    .offset();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted sending " + eventId, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not send " + eventId, e);
        }
    }

    static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Every record of {@code topic} that a fresh consumer can read within {@code wait}, from the beginning. */
    static List<ConsumerRecord<String, String>> readAll(String topic, Duration wait) {
        Properties props = new Properties();
        props.putAll(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker().bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, unique("reader"),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"));
        List<ConsumerRecord<String, String>> all = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long end = System.nanoTime() + wait.toNanos();
            while (System.nanoTime() < end) {
                consumer.poll(Duration.ofMillis(200)).forEach(all::add);
            }
        }
        return all;
    }
}
