package io.dedup.examples.rpc;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.dedup.memory.InMemoryDedupStore;
import java.time.Duration;
import java.util.Objects;
import java.util.UUID;

/**
 * Runs {@link QuoteService} and {@link QuoteClient}: a request, the same request again (the client timed out and
 * retried), and another request; prints the replies and how many quotes were computed.
 *
 * <pre>java -cp examples/target/dedup-demo.jar io.dedup.examples.rpc.RabbitRpcExample</pre>
 *
 * Needs RabbitMQ ({@code DEDUP_RABBITMQ_URI}, default {@code amqp://guest:guest@127.0.0.1:5672}).
 *
 * <p>Not thread-safe: a worked example's entry point, run once per JVM.
 */
public final class RabbitRpcExample {
    private RabbitRpcExample() {}

    /**
     * What a run saw.
     *
     * @param first the reply to the first request
     * @param retry the reply to the same request sent again
     * @param other the reply to a different request
     * @param computed quotes the service computed
     */
    public record Outcome(QuoteClient.Reply first, QuoteClient.Reply retry, QuoteClient.Reply other, int computed) {}

    /**
     * Runs the example once and prints the quotes and how often each was computed.
     *
     * @throws Exception if RabbitMQ cannot be reached
     */
    public static void main(String[] args) throws Exception {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(
                Objects.requireNonNullElse(System.getenv("DEDUP_RABBITMQ_URI"), "amqp://guest:guest@127.0.0.1:5672"));
        Outcome outcome = run(factory, "quotes-" + UUID.randomUUID().toString().substring(0, 8));
        System.out.println("request q-1:          " + outcome.first());
        System.out.println("request q-1 again:    " + outcome.retry());
        System.out.println("request q-2:          " + outcome.other());
        System.out.println("quotes computed:      " + outcome.computed());
    }

    /**
     * Declares {@code queue}, serves it, asks three times, and deletes it.
     *
     * @throws Exception if RabbitMQ fails or a reply does not come within the client's timeout
     */
    public static Outcome run(ConnectionFactory factory, String queue) throws Exception {
        try (Connection connection = factory.newConnection("quotes-example");
                InMemoryDedupStore store = InMemoryDedupStore.create()) {
            Channel admin = connection.createChannel();
            admin.queueDeclare(queue, false, false, false, null);
            try (QuoteService service = QuoteService.start(connection, queue, store);
                    QuoteClient client = new QuoteClient(connection, queue)) {
                Duration timeout = Duration.ofSeconds(10);
                QuoteClient.Reply first = client.quote("q-1", "sku-7", 3, timeout);
                QuoteClient.Reply retry = client.quote("q-1", "sku-7", 3, timeout); // same request id: a duplicate
                QuoteClient.Reply other = client.quote("q-2", "sku-7", 3, timeout);
                return new Outcome(first, retry, other, service.computed());
            } finally {
                admin.queueDelete(queue);
            }
        }
    }
}
