package io.dedup.chaos;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;

/**
 * Opens the chaos consumer's RabbitMQ connection: automatic recovery on, short recovery interval. Stateless;
 * thread-safe.
 */
final class RabbitConnections {
    private RabbitConnections() {}

    /**
     * Opens a connection named after the child's id (so the broker's connection list says which child is which).
     * Recovery is on and quick because the chaos tests restart the broker and cut the network under the consumer: a
     * consumer that did not reconnect would count as a crash, not as the fault under test.
     *
     * @throws Exception if the broker cannot be reached within 5 s
     */
    static Connection open(ConsumerSettings settings) throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost(settings.get("rabbitHost", "127.0.0.1"));
        factory.setPort((int) settings.number("rabbitPort", 5672));
        factory.setUsername(settings.get("rabbitUser", "guest"));
        factory.setPassword(settings.get("rabbitPassword", "guest"));
        factory.setAutomaticRecoveryEnabled(true);
        factory.setTopologyRecoveryEnabled(true);
        factory.setNetworkRecoveryInterval(500);
        factory.setConnectionTimeout(5000);
        factory.setRequestedHeartbeat(10);
        return factory.newConnection("chaos-" + settings.id());
    }
}
