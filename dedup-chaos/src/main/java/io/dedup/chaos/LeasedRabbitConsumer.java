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
 */
final class LeasedRabbitConsumer implements AutoCloseable {
    private final Connection connection;
    private final List<RabbitDedup> wrappers;
    private final DedupStore store;

    private LeasedRabbitConsumer(Connection connection, List<RabbitDedup> wrappers, DedupStore store) {
        this.connection = connection;
        this.wrappers = wrappers;
        this.store = store;
    }

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
                    .lease(settings.millis("leaseMillis", 2000))
                    .retention(settings.millis("retentionMillis", 600_000))
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

    @Override
    public void close() throws Exception {
        for (RabbitDedup wrapper : wrappers) {
            wrapper.close();
        }
        connection.close(5000);
        store.close();
    }
}
