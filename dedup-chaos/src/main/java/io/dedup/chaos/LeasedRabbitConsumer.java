package io.dedup.chaos;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.dedup.rabbitmq.RabbitDedup;
import io.dedup.rabbitmq.RabbitDedupBuilder;
import io.dedup.rabbitmq.RabbitKeys;
import io.dedup.spi.DedupStore;
import java.util.ArrayList;
import java.util.List;

/**
 * Leased mode over RabbitMQ: one {@link RabbitDedup} per queue, sharing the run's namespace, so a key delivered on
 * two queues is still one key. The handler logs its invocation, works, and writes its effect in autocommit.
 *
 * <p>Leased mode promises G1-G5, not exactly-once effects: a consumer killed after its effect and before the
 * completion repeats that effect on redelivery. The chaos summary counts such repeats and checks that each one is
 * explained by a death inside that window.
 *
 * <p>Thread-safety: the adapters run deliveries on the channels' dispatch threads; {@link #close()} from any thread.
 */
final class LeasedRabbitConsumer implements AutoCloseable {
    private final Connection connection;
    /** One adapter per queue; closed before the connection so that each settles what it holds. */
    private final List<RabbitDedup> wrappers;

    private final DedupStore store;

    private LeasedRabbitConsumer(Connection connection, List<RabbitDedup> wrappers, DedupStore store) {
        this.connection = connection;
        this.wrappers = wrappers;
        this.store = store;
    }

    /**
     * Builds one adapter per queue over the gated store (so kill points between store calls fire) and starts consuming.
     * Lease, retention, redelivery delay and store back-off come from {@code settings}, short by default so that a
     * killed consumer's keys are free again within the run.
     *
     * @throws Exception if the store or the broker cannot be reached; the child then exits and the run counts a crash
     */
    static LeasedRabbitConsumer start(ConsumerSettings settings, PointGate gate, LedgerWriter ledger) throws Exception {
        DedupStore store = new GatedStore(StoreFactory.build(settings), gate, ledger);
        Connection connection = RabbitConnections.open(settings);
        KeyWork work = new KeyWork(settings, gate, ledger);
        List<RabbitDedup> wrappers = new ArrayList<>();
        for (String queue : settings.list("queues")) {
            RabbitDedupBuilder builder = RabbitDedup.builder(queue)
                    .store(store)
                    .namespace(settings.get("namespace"))
                    .keys(RabbitKeys.parse(settings.get("keys", "message-id")))
                    .settings(settings.dedupSettings())
                    .redeliveryDelay(settings.millis("redeliveryMillis", 500))
                    .storeBackoff(settings.millis("backoffMinMillis", 100), settings.millis("backoffMaxMillis", 1000))
                    .declareTopology();
            if (settings.flag("fingerprint")) {
                builder.fingerprintBody();
            }
            RabbitDedup dedup = builder.build();
            wrappers.add(dedup);
            Channel channel = connection.createChannel();
            channel.basicQos((int) settings.number("prefetch", 20));
            dedup.consume(channel, (tag, delivery) -> work.leased());
        }
        return new LeasedRabbitConsumer(connection, wrappers, store);
    }

    /** Closes the adapters (each releases what it claimed and did not finish), then the connection, then the store. */
    @Override
    public void close() throws Exception {
        for (RabbitDedup wrapper : wrappers) {
            wrapper.close();
        }
        connection.close(5000);
        store.close();
    }
}
