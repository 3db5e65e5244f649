package io.dedup.chaos;

import io.dedup.kafka.KafkaDedup;
import io.dedup.kafka.KafkaDedupRunner;
import io.dedup.kafka.KafkaDedupRunnerBuilder;
import io.dedup.spi.DedupStore;
import java.sql.Connection;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The chaos consumer over Kafka: the {@link KafkaDedupRunner} on the run's topics, in leased mode (its handler and
 * a {@link GatedStore}) or in the Kafka-to-database mode (the handler's effect, the claim, the completion and the
 * consumed offsets in one PostgreSQL transaction). The group id is the run's namespace.
 *
 * <p>Thread-safety: the runner polls and handles on its own thread; {@link #close()} from any thread.
 */
final class KafkaChaosConsumer implements AutoCloseable {
    private final KafkaDedupRunner<String, String> runner;
    /** Closed after the runner, which still writes the completions in hand when it closes. */
    private final DedupStore store;

    private KafkaChaosConsumer(KafkaDedupRunner<String, String> runner, DedupStore store) {
        this.runner = runner;
        this.store = store;
    }

    /**
     * Starts the runner on its own thread and returns. The session timeout and heartbeat are short so that a killed
     * consumer's partitions move to a survivor within the run, which is the rebalance the chaos tests want to provoke;
     * records per poll are few so that a kill lands inside a batch, not between batches.
     *
     * @throws IllegalArgumentException if a required setting ({@code bootstrap}, {@code namespace}, {@code topics},
     *     the store's) is missing
     */
    static KafkaChaosConsumer start(ConsumerSettings settings, PointGate gate, LedgerWriter ledger) {
        Map<String, Object> config = new HashMap<>();
        config.put("bootstrap.servers", settings.get("bootstrap"));
        config.put("group.id", settings.get("namespace"));
        config.put("client.id", "chaos-" + settings.id());
        config.put("auto.offset.reset", "earliest");
        config.put("session.timeout.ms", settings.get("sessionTimeoutMillis", "3000"));
        config.put("heartbeat.interval.ms", "500");
        config.put("max.poll.records", settings.get("maxPollRecords", "50"));
        KeyWork work = new KeyWork(settings, gate, ledger);
        DedupStore store = settings.transactional()
                ? StoreFactory.jdbc(settings)
                : new GatedStore(StoreFactory.build(settings), gate, ledger);
        KafkaDedup.Builder dedup = KafkaDedup.builder()
                .store(store)
                .settings(settings.dedupSettings())
                .deferBackoff(settings.millis("redeliveryMillis", 300));
        KafkaDedupRunnerBuilder<String, String> builder = KafkaDedupRunner.builder(
                        config, new StringDeserializer(), new StringDeserializer())
                .topics(settings.list("topics"))
                .dedup(dedup)
                .storeBackoff(settings.millis("backoffMinMillis", 100), settings.millis("backoffMaxMillis", 1000));
        // transactional: the effect row joins the poll's transaction, so it commits with the completion and the offsets
        if (settings.transactional()) {
            builder.transactionalStore((record, tx) -> work.run(
                    tx.claim().key().id(),
                    tx.claim().token(),
                    (key, token) -> ledger.effectIn(tx.resource(Connection.class), key, token)));
        } else {
            builder.handler(record -> work.leased());
        }
        KafkaDedupRunner<String, String> runner = builder.build();
        runner.start();
        return new KafkaChaosConsumer(runner, store);
    }

    /** Closes the runner (it finishes the batch in hand and commits), then the store. */
    @Override
    public void close() {
        runner.close();
        store.close();
    }
}
