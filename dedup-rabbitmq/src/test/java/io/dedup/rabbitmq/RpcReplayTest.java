package io.dedup.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.Delivery;
import io.dedup.rabbitmq.RabbitBroker.QueueType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.RegisterExtension;

class RpcReplayTest {
    @RegisterExtension
    final RabbitBroker broker = new RabbitBroker();

    @OnEachQueueType
    void a_duplicate_request_gets_the_stored_reply_with_its_own_correlation_id_without_running_the_handler(
            QueueType type) throws Exception {
        String queue = broker.queue(type);
        Meters meters = new Meters(queue);
        AtomicInteger runs = new AtomicInteger();
        try (RabbitDedup dedup = meters.dedup().build()) {
            Channel serverChannel = broker.connect("dedup-test-rpc-server").createChannel();
            serverChannel.basicConsume(
                    queue,
                    false,
                    dedup.rpc(serverChannel, request -> ("quote #" + runs.incrementAndGet() + " for "
                                    + new String(request.getBody(), StandardCharsets.UTF_8))
                            .getBytes(StandardCharsets.UTF_8)),
                    tag -> {});

            Connection client = broker.connect("dedup-test-rpc-client");
            Channel clientChannel = client.createChannel();
            String replyQueue = clientChannel.queueDeclare().getQueue();
            LinkedBlockingQueue<Delivery> replies = new LinkedBlockingQueue<>();
            clientChannel.basicConsume(replyQueue, true, (tag, reply) -> replies.add(reply), tag -> {});

            broker.publish(queue, request("quote-42", replyQueue, "call-1"), "10 widgets");
            Delivery first = replies.poll(20, TimeUnit.SECONDS);
            broker.publish(queue, request("quote-42", replyQueue, "call-2"), "10 widgets");
            Delivery second = replies.poll(20, TimeUnit.SECONDS);

            assertThat(first).isNotNull();
            assertThat(second).isNotNull();
            assertThat(first.getProperties().getCorrelationId()).isEqualTo("call-1");
            assertThat(second.getProperties().getCorrelationId()).isEqualTo("call-2");
            assertThat(new String(first.getBody(), StandardCharsets.UTF_8)).isEqualTo("quote #1 for 10 widgets");
            assertThat(second.getBody()).isEqualTo(first.getBody());
            assertThat(second.getProperties().getHeaders()).containsEntry(DedupHeaders.REPLAYED, true);
            assertThat(runs).hasValue(1);
            // The reply can reach the client before the request is acked and counted.
            await().atMost(Duration.ofSeconds(20)).until(() -> meters.replies(false) == 1 && meters.replies(true) == 1);
        }
    }

    private static AMQP.BasicProperties request(String messageId, String replyTo, String correlationId) {
        return new AMQP.BasicProperties.Builder()
                .messageId(messageId)
                .replyTo(replyTo)
                .correlationId(correlationId)
                .build();
    }
}
