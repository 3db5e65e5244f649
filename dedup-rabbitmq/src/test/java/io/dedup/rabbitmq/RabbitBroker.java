package io.dedup.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import io.dedup.testkit.LocalServices;
import io.dedup.testkit.ServiceEndpoint;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The real RabbitMQ broker for one test: connections, uniquely named queues (deleted afterwards with their retry
 * and dead-letter queues), publishing and reading helpers. A JUnit extension, so that a test class declares
 *
 * <pre>{@code
 * @RegisterExtension
 * final RabbitBroker broker = new RabbitBroker();
 * }</pre>
 *
 * <p>and gets a fresh one per test, connected before it and cleaned up (connections closed, what it declared
 * deleted) after it; used without the extension it connects on first use and cleans up on {@link #close}. Not
 * thread-safe except {@link #publish}.
 */
final class RabbitBroker implements AutoCloseable, BeforeEachCallback, AfterEachCallback {
    enum QueueType {
        CLASSIC,
        QUORUM
    }

    private final ServiceEndpoint endpoint = LocalServices.rabbitmq();
    private final List<Connection> connections = new ArrayList<>();
    private final List<String> queues = new ArrayList<>();
    private Connection admin;
    private Channel channel;

    @Override
    public void beforeEach(ExtensionContext context) throws IOException, TimeoutException {
        channel();
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        close();
    }

    ConnectionFactory factory(int port) {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost(endpoint.host());
        factory.setPort(port);
        factory.setUsername(endpoint.user());
        factory.setPassword(endpoint.password());
        factory.setVirtualHost(endpoint.database().isEmpty() ? "/" : endpoint.database());
        factory.setAutomaticRecoveryEnabled(true);
        factory.setNetworkRecoveryInterval(200);
        factory.setConnectionTimeout(5000);
        return factory;
    }

    Connection connect(String name) throws IOException, TimeoutException {
        return connect(name, endpoint.port());
    }

    Connection connect(String name, int port) throws IOException, TimeoutException {
        Connection connection = factory(port).newConnection(name);
        connections.add(connection);
        return connection;
    }

    String host() {
        return endpoint.host();
    }

    int port() {
        return endpoint.port();
    }

    /** The broker's version, e.g. {@code 3.10.8}. */
    String version() {
        try {
            channel();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return String.valueOf(admin.getServerProperties().get("version"));
    }

    /** Declares a durable queue with a unique name; deleted, with its dedup topology, on close. */
    String queue(QueueType type) throws IOException {
        return queue(type, Map.of());
    }

    String queue(QueueType type, Map<String, Object> arguments) throws IOException {
        String name = "dedup-test-" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, Object> args = new HashMap<>(arguments);
        if (type == QueueType.QUORUM) {
            args.put("x-queue-type", "quorum");
        }
        channel().queueDeclare(name, true, false, false, args);
        queues.add(name);
        queues.add(RetryTopology.of(name).retryQueue());
        queues.add(RetryTopology.of(name).deadLetterQueue());
        return name;
    }

    /** Declares a plain durable queue with the given name, deleted on close. */
    void extraQueue(String name) throws IOException {
        channel().queueDeclare(name, true, false, false, Map.of());
        queues.add(name);
    }

    void publish(String queue, String messageId, String body) throws IOException {
        publish(
                queue,
                new AMQP.BasicProperties.Builder()
                        .messageId(messageId)
                        .deliveryMode(2)
                        .build(),
                body);
    }

    synchronized void publish(String queue, AMQP.BasicProperties properties, String body) throws IOException {
        channel().basicPublish("", queue, properties, body.getBytes(StandardCharsets.UTF_8));
        try {
            channel.waitForConfirmsOrDie(5000);
        } catch (InterruptedException | TimeoutException e) {
            throw new IOException("publish not confirmed", e);
        }
    }

    /** Ready messages in {@code queue} (unacked ones are not counted until their channel closes). */
    synchronized long ready(String queue) throws IOException {
        return channel().queueDeclarePassive(queue).getMessageCount();
    }

    /** Takes one message from {@code queue}, acking it; null when empty. */
    synchronized GetResponse take(String queue) throws IOException {
        return channel().basicGet(queue, true);
    }

    /** Waits up to {@code patience} for a message in {@code queue} and takes it (acked). */
    GetResponse awaitMessage(String queue, Duration patience) {
        AtomicReference<GetResponse> response = new AtomicReference<>();
        Awaitility.await().atMost(patience).until(() -> {
            response.set(take(queue));
            return response.get() != null;
        });
        return response.get();
    }

    /** The admin channel (publisher confirms on), connected on first use. */
    synchronized Channel channel() throws IOException {
        if (channel == null) {
            try {
                admin = connect("dedup-test-admin", endpoint.port());
            } catch (TimeoutException e) {
                throw new IOException("cannot connect to RabbitMQ at " + endpoint.host() + ":" + endpoint.port(), e);
            }
            channel = admin.createChannel();
            channel.confirmSelect();
        }
        return channel;
    }

    @Override
    public synchronized void close() throws IOException {
        for (Connection connection : connections) {
            if (connection != admin) {
                connection.abort(2000);
            }
        }
        connections.clear();
        if (admin == null) {
            return; // never connected: nothing declared
        }
        try (Channel cleanup = admin.createChannel()) {
            for (String queue : queues) {
                cleanup.queueDelete(queue);
            }
        } catch (TimeoutException e) {
            throw new IOException(e);
        } finally {
            queues.clear();
            admin.abort(2000);
            admin = null;
            channel = null;
        }
    }
}
