package io.dedup.chaos;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import io.dedup.rabbitmq.RetryTopology;
import io.dedup.testkit.LocalServices;
import io.dedup.testkit.ServiceEndpoint;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/**
 * The run's RabbitMQ queues (uniquely named, deleted at the end with their retry and dead-letter queues), the
 * producer that fills them, and the counts the invariants read.
 */
final class RabbitQueues implements ChaosBroker {
    private final ServiceEndpoint endpoint = LocalServices.rabbitmq();
    private final Connection connection;
    private final Channel channel;
    private final List<String> names = new ArrayList<>();

    RabbitQueues(String runId, int count) throws IOException, TimeoutException {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost(endpoint.host());
        factory.setPort(endpoint.port());
        factory.setUsername(endpoint.user());
        factory.setPassword(endpoint.password());
        this.connection = factory.newConnection("chaos-test-" + runId);
        this.channel = connection.createChannel();
        channel.confirmSelect();
        for (int i = 0; i < count; i++) {
            String name = "chaos-" + runId + "-q" + i;
            channel.queueDeclare(name, true, false, false, null);
            RetryTopology.of(name).declare(channel);
            names.add(name);
        }
    }

    @Override
    public String name() {
        return "rabbitmq";
    }

    @Override
    public Map<String, String> consumerSettings() {
        return Map.of(
                "broker", "rabbitmq",
                "queues", String.join(",", names),
                "rabbitHost", endpoint.host(),
                "rabbitPort", String.valueOf(endpoint.port()));
    }

    @Override
    public int lanes() {
        return names.size();
    }

    String host() {
        return endpoint.host();
    }

    int port() {
        return endpoint.port();
    }

    List<String> names() {
        return names;
    }

    /** Publishes persistent messages and waits for the broker's confirms. */
    @Override
    public synchronized void publish(List<Workload.Message> messages) throws IOException {
        int unconfirmed = 0;
        for (Workload.Message message : messages) {
            AMQP.BasicProperties.Builder properties = new AMQP.BasicProperties.Builder().deliveryMode(2);
            if (message.messageId() != null) {
                properties.messageId(message.messageId());
            }
            if (!message.headers().isEmpty()) {
                properties.headers(message.headers());
            }
            channel.basicPublish("", names.get(message.queue()), properties.build(), message.body());
            if (++unconfirmed == 500) {
                awaitConfirms();
                unconfirmed = 0;
            }
        }
        awaitConfirms();
    }

    private void awaitConfirms() throws IOException {
        try {
            channel.waitForConfirmsOrDie(30_000);
        } catch (InterruptedException | TimeoutException e) {
            throw new IOException("publishes not confirmed", e);
        }
    }

    /** Ready messages in the work and retry queues (unacked ones count once their channel closes). */
    @Override
    public synchronized long waiting() throws IOException {
        long total = 0;
        for (String name : names) {
            total += channel.queueDeclarePassive(name).getMessageCount();
            total += channel.queueDeclarePassive(RetryTopology.of(name).retryQueue())
                    .getMessageCount();
        }
        return total;
    }

    @Override
    public synchronized long deadLettered() throws IOException {
        long total = 0;
        for (String name : names) {
            total += channel.queueDeclarePassive(RetryTopology.of(name).deadLetterQueue())
                    .getMessageCount();
        }
        return total;
    }

    /** Takes every dead letter (acking it). */
    synchronized List<GetResponse> takeDeadLetters() throws IOException {
        List<GetResponse> letters = new ArrayList<>();
        for (String name : names) {
            GetResponse response;
            while ((response = channel.basicGet(RetryTopology.of(name).deadLetterQueue(), true)) != null) {
                letters.add(response);
            }
        }
        return letters;
    }

    @Override
    public synchronized void close() throws IOException {
        try {
            for (String name : names) {
                channel.queueDelete(name);
                RetryTopology.of(name).delete(channel);
            }
        } finally {
            connection.abort(2000);
        }
    }
}
