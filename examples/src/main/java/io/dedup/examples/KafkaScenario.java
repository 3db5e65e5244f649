package io.dedup.examples;

import io.dedup.MessageHandler;
import io.dedup.kafka.KafkaDedup;
import io.dedup.kafka.KafkaDedupRunner;
import io.dedup.testkit.KafkaBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The demo on Kafka: payments go to a topic, with the duplicates real systems make, and {@link KafkaDedupRunner}s
 * in one consumer group charge them:
 *
 * <ol>
 *   <li>the producer sends some records twice (a send that timed out waiting for its acknowledgement, retried);
 *   <li>worker-1 dies before committing: its last records were charged (and recorded as completed in the store), but
 *       their offsets never reached the broker, so worker-2 and worker-3, taking over its partitions, get them again;
 *   <li>an operator resets the group's offsets back (a replay after an incident) and worker-4 reads those records
 *       once more.
 * </ol>
 *
 * Not thread-safe; one run at a time.
 */
final class KafkaScenario {
    /**
     * Enough partitions that a takeover splits worker-1's partitions between two workers, as a real rebalance would.
     */
    private static final int PARTITIONS = 4;
    /** How long one phase may take before the demo fails; the slowest store on a busy laptop needs far less. */
    private static final Duration PHASE_TIMEOUT = Duration.ofMinutes(3);

    /** The run's choices: how many payments, which seed. */
    private final DemoOptions options;
    /**
     * The store every worker shares: one namespace across the group, so a key completed by one worker is a duplicate to all.
     */
    private final DemoStore store;
    /**
     * The consumer group id and the dedup namespace: unique per run, so runs never see each other's keys or offsets.
     */
    private final String namespace;

    /** The payments topic, unique per run. */
    private final String topic;
    /** Where the story and the per-second counts go. */
    private final Progress progress;
    /** Deliveries (records handed to any worker's consumer), charges and duplicates suppressed. */
    private final ScenarioTally tally = new ScenarioTally();
    /** The broker the run uses: the given one, or the one the demo started. */
    private String bootstrapServers;

    /** A scenario whose group, namespace and topic are named after {@code runId}. */
    private KafkaScenario(DemoOptions options, DemoStore store, String runId, Progress progress) {
        this.options = options;
        this.store = store;
        this.namespace = "dedup-demo-" + runId;
        this.topic = "payments-" + runId;
        this.progress = progress;
    }

    /**
     * Plays the scenario on the broker the options name, or on a broker started for it in a child JVM (stopped after).
     *
     * @throws Exception if the broker cannot be started or reached, or a phase does not finish in time
     */
    static DemoReport run(DemoOptions options, DemoStore store, String runId, Progress progress) throws Exception {
        KafkaScenario scenario = new KafkaScenario(options, store, runId, progress);
        if (options.kafkaBootstrapServers().isPresent()) {
            scenario.bootstrapServers = options.kafkaBootstrapServers().get();
            return scenario.play(true);
        }
        progress.say("starting a single-node Kafka broker (KRaft) in a child JVM, from the Kafka jars in the demo");
        try (KafkaBroker broker = KafkaBroker.start()) {
            scenario.bootstrapServers = broker.bootstrapServers();
            progress.say("broker ready on %s (pid %d)", broker.bootstrapServers(), broker.pid());
            return scenario.play(false);
        }
    }

    /**
     * The three phases in order, then the report; a broker the demo did not start is left without its topic and group.
     */
    private DemoReport play(boolean cleanUpTopic) throws Exception {
        PaymentStream stream = PaymentStream.generate(options.messages(), options.seed());
        tally.track(progress);
        try (ExampleKafka kafka = ExampleKafka.at(bootstrapServers)) {
            Admin admin = kafka.admin();
            GroupOffsets group = new GroupOffsets(admin, namespace, topic, PARTITIONS, PHASE_TIMEOUT);
            kafka.createTopics(PARTITIONS, topic);
            try {
                produce(kafka, stream);
                Map<TopicPartition, Long> ends = group.endOffsets();
                workerDiesBeforeCommitting(stream.payments().size());
                takeOver(group, ends);
                replay(admin, group, ends);
            } finally {
                if (cleanUpTopic) {
                    kafka.deleteTopics(topic);
                    admin.deleteConsumerGroups(List.of(namespace));
                }
            }
        }
        return report(stream);
    }

    /**
     * Sends every payment keyed by account (so one account's payments keep their order in one partition), with the
     * payment id as the idempotency key header; retried sends are sent twice.
     */
    private void produce(ExampleKafka kafka, PaymentStream stream) {
        List<ProducerRecord<String, String>> records =
                new ArrayList<>(stream.sends().size());
        for (Payment payment : stream.sends()) {
            ProducerRecord<String, String> record = new ProducerRecord<>(topic, payment.account(), payment.json());
            record.headers().add("idempotency-key", payment.paymentId().getBytes(StandardCharsets.UTF_8));
            records.add(record);
        }
        kafka.send(records);
        progress.say(
                "produced %,d records to %s (%d partitions): %,d payments, %,d of them sent twice by a retrying"
                        + " producer",
                stream.sends().size(), topic, PARTITIONS, stream.payments().size(), stream.retries());
    }

    /** worker-1 charges, stops committing at 30% of the payments, and dies a little later. */
    private void workerDiesBeforeCommitting(int payments) throws Exception {
        // it stops committing first and dies a few polls later, so several charged batches lose their commits
        long crashAt = Math.max(1, payments * 3L / 10);
        long diesAt = crashAt + Math.max(1, payments / 40);
        AtomicLong charged = new AtomicLong();
        AtomicReference<KafkaDedupRunner<String, String>> self = new AtomicReference<>();
        CrashableConsumer consumer = new CrashableConsumer(consumerConfig("worker-1"), tally.deliveries());
        KafkaDedupRunner<String, String> worker1 = worker("worker-1", consumer, record -> {
            tally.ledger().charge(Payment.parse(record.value()));
            long n = charged.incrementAndGet();
            if (n == crashAt) {
                consumer.dieBeforeCommitting();
            } else if (n == diesAt) {
                self.get().close(); // from the handler: returns at once, the loop then stops
            }
        });
        self.set(worker1);
        progress.say("worker-1 starts charging payments");
        // the handler closes the runner itself once dead; the join only guards against a run that never gets there
        Thread thread = worker1.start();
        thread.join(PHASE_TIMEOUT.toMillis());
        if (thread.isAlive()) {
            worker1.close();
        }
        progress.say(
                "worker-1 died after charging %,d payments: none of its commits after payment %,d reached the broker",
                charged.get(), crashAt);
    }

    /** worker-2 and worker-3 join the group, get worker-1's partitions from their last committed offsets. */
    private void takeOver(GroupOffsets group, Map<TopicPartition, Long> ends) throws Exception {
        progress.say("worker-2 and worker-3 take over from the last committed offsets: worker-1's uncommitted records"
                + " come again");
        KafkaDedupRunner<String, String> worker2 = worker("worker-2");
        KafkaDedupRunner<String, String> worker3 = worker("worker-3");
        // two workers, so worker-1's partitions are split between them and each redelivery meets the shared store
        worker2.start();
        worker3.start();
        try {
            group.awaitCommitted(ends);
        } finally {
            worker2.close();
            worker3.close();
        }
        progress.say("the group has committed every record; workers 2 and 3 stop");
    }

    /** The operator moves the group's offsets back by a tenth of each partition; worker-4 reads them again. */
    private void replay(Admin admin, GroupOffsets group, Map<TopicPartition, Long> ends) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> back = new HashMap<>();
        long replayed = 0;
        for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
            // a tenth of every partition: records whose keys the store holds as completed, so all are duplicates
            long rewind = end.getValue() / 10;
            back.put(end.getKey(), new OffsetAndMetadata(end.getValue() - rewind));
            replayed += rewind;
        }
        // the broker refuses to move a group's offsets while it has members; workers 2 and 3 are leaving
        group.awaitEmptyGroup();
        admin.alterConsumerGroupOffsets(namespace, back).all().get(30, TimeUnit.SECONDS);
        progress.say(
                "an operator resets the group's offsets back by %,d records (a replay) and starts worker-4", replayed);
        try (KafkaDedupRunner<String, String> worker4 = worker("worker-4")) {
            worker4.start();
            group.awaitCommitted(ends);
        }
        progress.say("worker-4 is done with the replay");
    }

    /** A worker that charges every payment it is handed. */
    private KafkaDedupRunner<String, String> worker(String name) {
        return worker(name, new CrashableConsumer(consumerConfig(name), tally.deliveries()), record -> tally.ledger()
                .charge(Payment.parse(record.value())));
    }

    /**
     * A worker as an application would build it: the runner with the shared store and namespace, the demo's retention,
     * the library's metrics, and a consumer the demo can make die before it commits.
     */
    private KafkaDedupRunner<String, String> worker(
            String name, CrashableConsumer consumer, MessageHandler<ConsumerRecord<String, String>> charge) {
        return KafkaDedupRunner.builder(consumerConfig(name), new StringDeserializer(), new StringDeserializer())
                .topics(topic)
                .consumer(consumer)
                .dedup(KafkaDedup.builder()
                        .store(store.store())
                        .namespace(namespace)
                        .settings(Demo.SETTINGS)
                        .meterRegistry(tally.registry()))
                .handler(charge)
                .build();
    }

    /**
     * The settings every worker shares; auto-commit off because the runner commits only what the store recorded (G5).
     */
    private Map<String, Object> consumerConfig(String clientId) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, namespace);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
        return config;
    }

    /** The report of the run, printed as the demo's summary. */
    private DemoReport report(PaymentStream stream) {
        return Demo.finish(progress, stream, tally);
    }
}
