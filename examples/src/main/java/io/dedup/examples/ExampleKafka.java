package io.dedup.examples;

import io.dedup.testkit.KafkaBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The Kafka the worked examples run against: the one named by {@code --bootstrap-servers HOST:PORT} or {@code
 * KAFKA_BOOTSTRAP_SERVERS}, else a single-node broker started for the run as a child process (stopped by {@link
 * #close()}). Also the few administrative steps the examples need around their application code: topics, a
 * producer, reading a topic back. Thread-safe.
 */
public final class ExampleKafka implements AutoCloseable {
    /** The broker the examples use: one named on the command line, or the one started for them. */
    private final String bootstrapServers;
    /** The broker started for the examples, stopped on close; null when one was named. */
    private final KafkaBroker broker;
    /** One admin client for topics, groups and offsets, closed with this. */
    private final Admin admin;

    /** The Kafka at {@code bootstrapServers}; {@code broker} is the one started for the examples, or null. */
    private ExampleKafka(String bootstrapServers, KafkaBroker broker) {
        this.bootstrapServers = bootstrapServers;
        this.broker = broker;
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
    }

    /** The Kafka {@code args} or the environment name, else a broker started now. */
    public static ExampleKafka open(String... args) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals("--bootstrap-servers")) {
                return at(args[i + 1]);
            }
        }
        String fromEnvironment = System.getenv("KAFKA_BOOTSTRAP_SERVERS");
        if (fromEnvironment != null && !fromEnvironment.isBlank()) {
            return at(fromEnvironment.trim());
        }
        // no Kafka named: start one from the examples' own jars, so an example needs nothing but Java
        KafkaBroker broker = KafkaBroker.start();
        return new ExampleKafka(broker.bootstrapServers(), broker);
    }

    /** An existing Kafka; {@link #close()} leaves it running. */
    public static ExampleKafka at(String bootstrapServers) {
        return new ExampleKafka(Objects.requireNonNull(bootstrapServers, "bootstrapServers"), null);
    }

    /** {@code host:port} of the broker, for the examples' consumers and producers. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /**
     * Creates topics with {@code partitions} partitions each and waits until every partition has a leader.
     *
     * @throws IllegalStateException if the broker refuses or the partitions get no leader within 30 s
     */
    public void createTopics(int partitions, String... topics) {
        List<NewTopic> newTopics = new ArrayList<>();
        for (String topic : topics) {
            newTopics.add(new NewTopic(topic, partitions, (short) 1));
        }
        try {
            admin.createTopics(newTopics).all().get(30, TimeUnit.SECONDS);
            awaitLeaders(List.of(topics));
        } catch (Exception e) {
            throw new IllegalStateException("could not create topics " + List.of(topics) + ": " + e, e);
        }
    }

    /**
     * A created topic's partitions take a moment to be served: the metadata may already name a leader whose replica
     * is not leading yet. A producer that writes then is refused (NOT_LEADER_OR_FOLLOWER), and an idempotent one with
     * several batches in flight can then be stuck on OUT_OF_ORDER_SEQUENCE_NUMBER until its delivery timeout. So wait
     * until every partition's leader answers a request only a leader serves: listing its end offset.
     */
    private void awaitLeaders(List<String> topics) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
                admin.describeTopics(topics)
                        .allTopicNames()
                        .get(10, TimeUnit.SECONDS)
                        .forEach((topic, description) -> description
                                .partitions()
                                .forEach(p -> ends.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest())));
                admin.listOffsets(ends).all().get(10, TimeUnit.SECONDS);
                return;
            } catch (ExecutionException | TimeoutException notYet) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("partitions of " + topics + " are not served after 30 s", notYet);
                }
                Thread.sleep(50);
            }
        }
    }

    /** Deletes topics, best effort (they may not exist). */
    public void deleteTopics(String... topics) {
        try {
            admin.deleteTopics(List.of(topics)).all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            // best effort: a topic that was never created
        }
    }

    /**
     * A producer of text records, acks=all, failing a send after 30 s. The caller closes it. The examples count on the
     * order of their records within a partition (a duplicate must come after its original), hence one request in
     * flight.
     */
    private KafkaProducer<String, String> producer() {
        return new KafkaProducer<>(
                Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        bootstrapServers,
                        ProducerConfig.ACKS_CONFIG,
                        "all",
                        ProducerConfig.LINGER_MS_CONFIG,
                        5,
                        // one request at a time: a refused batch is retried before any later one is sent
                        ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION,
                        1,
                        ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG,
                        10_000,
                        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
                        30_000),
                new StringSerializer(),
                new StringSerializer());
    }

    /**
     * Sends {@code records} and waits until the broker has every one.
     *
     * @throws IllegalStateException if a send failed
     */
    public void send(List<ProducerRecord<String, String>> records) {
        try (KafkaProducer<String, String> producer = producer()) {
            List<Future<RecordMetadata>> sent = new ArrayList<>(records.size());
            for (ProducerRecord<String, String> record : records) {
                sent.add(producer.send(record));
            }
            producer.flush();
            // flush only sends; each future says whether its record was written, and a lost one must fail the run
            for (Future<RecordMetadata> result : sent) {
                result.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while sending", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not send a record: " + e.getCause(), e.getCause());
        }
    }

    /**
     * Committed offsets of {@code group}, by partition.
     *
     * @throws IllegalStateException if the broker does not answer within 30 s
     */
    public Map<TopicPartition, Long> committedOffsets(String group) {
        try {
            return admin
                    .listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata()
                    .get(30, TimeUnit.SECONDS)
                    .entrySet()
                    .stream()
                    // a partition the group never committed has no entry worth reporting
                    .filter(e -> e.getValue() != null)
                    .collect(Collectors.toMap(
                            Map.Entry::getKey, e -> e.getValue().offset()));
        } catch (Exception e) {
            throw new IllegalStateException("could not read the offsets of group " + group + ": " + e, e);
        }
    }

    /** The administrative client, for what the examples do not wrap. */
    public Admin admin() {
        return admin;
    }

    /**
     * Reads {@code topic} from its beginning until {@code count} records arrived or {@code timeout} passed, without
     * a consumer group.
     */
    public List<ConsumerRecord<String, String>> read(String topic, int count, Duration timeout) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest");
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (records.size() < count && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    /** Closes the admin client and stops the broker if this started it. */
    @Override
    public void close() {
        admin.close();
        if (broker != null) {
            broker.close();
        }
    }
}
