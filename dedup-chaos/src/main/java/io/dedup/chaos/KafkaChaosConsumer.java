package io.dedup.chaos;

import io.dedup.Claim;
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
 */
final class KafkaChaosConsumer implements AutoCloseable {
    private final KafkaDedupRunner<String, String> runner;
    private final DedupStore store;

    private KafkaChaosConsumer(KafkaDedupRunner<String, String> runner, DedupStore store) {
        this.runner = runner;
        this.store = store;
    }

    static KafkaChaosConsumer start(ConsumerSettings settings, PointGate gate, LedgerWriter ledger) {
        Map<String, Object> config = new HashMap<>();
        config.put("bootstrap.servers", settings.get("bootstrap"));
        config.put("group.id", settings.get("namespace"));
        config.put("client.id", "chaos-" + settings.id());
        config.put("auto.offset.reset", "earliest");
        config.put("session.timeout.ms", settings.get("sessionTimeoutMillis", "3000"));
        config.put("heartbeat.interval.ms", "500");
        config.put("max.poll.records", settings.get("maxPollRecords", "50"));
        long work = settings.number("handlerMillis", 0);
        DedupStore store = settings.transactional()
                ? StoreFactory.jdbc(settings)
                : new GatedStore(StoreFactory.build(settings), gate, ledger);
        KafkaDedup.Builder dedup = KafkaDedup.builder()
                .store(store)
                .lease(settings.millis("leaseMillis", 2000))
                .retention(settings.millis("retentionMillis", 600_000))
                .deferBackoff(settings.millis("redeliveryMillis", 300));
        KafkaDedupRunnerBuilder<String, String> builder = KafkaDedupRunner.builder(
                        config, new StringDeserializer(), new StringDeserializer())
                .topics(settings.list("topics"))
                .dedup(dedup)
                .storeBackoff(settings.millis("backoffMinMillis", 100), settings.millis("backoffMaxMillis", 1000));
        if (settings.transactional()) {
            builder.transactionalStore((record, tx) -> {
                String key = tx.claim().key().id();
                long token = tx.claim().token();
                gate.hit(KillPoint.AFTER_CLAIM, key);
                ledger.invocation(key, token, "start");
                gate.hit(KillPoint.MID_HANDLER, key);
                if (work > 0) {
                    LedgerWriter.sleep(work);
                }
                ledger.effectIn(tx.resource(Connection.class), key, token);
                gate.hit(KillPoint.AFTER_EFFECT, key);
            });
        } else {
            builder.handler(record -> {
                Claim claim = Claim.current().orElseThrow(() -> new IllegalStateException("no claim"));
                if (settings.flag("steps")) {
                    SteppedWork.run(claim, gate, ledger, work);
                    return;
                }
                String key = claim.key().id();
                gate.hit(KillPoint.AFTER_CLAIM, key);
                ledger.invocation(key, claim.token(), "start");
                gate.hit(KillPoint.MID_HANDLER, key);
                if (work > 0) {
                    LedgerWriter.sleep(work);
                }
                ledger.effect(key, claim.token());
                gate.hit(KillPoint.AFTER_EFFECT, key);
            });
        }
        KafkaDedupRunner<String, String> runner = builder.build();
        runner.start();
        return new KafkaChaosConsumer(runner, store);
    }

    @Override
    public void close() {
        runner.close();
        store.close();
    }
}
