package io.dedup.chaos;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;

/** Opens the chaos consumer's RabbitMQ connection: automatic recovery on, short recovery interval. */
final class RabbitConnections {
    private RabbitConnections() {}

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
