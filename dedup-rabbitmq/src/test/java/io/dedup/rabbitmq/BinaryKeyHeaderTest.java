package io.dedup.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.dedup.rabbitmq.RabbitBroker.QueueType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A byte[] key header against the local RabbitMQ: the bytes {0xFF} and the text {@code base64:_w} (what the adapter
 * used to make of those bytes) are two keys, each processed once.
 */
class BinaryKeyHeaderTest {
    private static final Duration PATIENCE = Duration.ofSeconds(20);
    private RabbitBroker broker;

    @BeforeEach
    void connect() throws Exception {
        broker = new RabbitBroker();
    }

    @AfterEach
    void cleanUp() throws Exception {
        broker.close();
    }

    @Test
    void a_binary_header_and_the_text_that_spelled_it_are_two_keys() throws Exception {
        String queue = broker.queue(QueueType.CLASSIC);
        Meters meters = new Meters(queue);
        List<String> handled = new CopyOnWriteArrayList<>();
        try (RabbitDedup dedup = meters.dedup().keys(RabbitKeys.parse("header")).build()) {
            Connection connection = broker.connect("dedup-test-binary-key");
            Channel channel = connection.createChannel();
            channel.basicQos(1); // one at a time: the order of the handled bodies is the order published
            dedup.consume(
                    channel, (tag, delivery) -> handled.add(new String(delivery.getBody(), StandardCharsets.UTF_8)));

            broker.publish(queue, withKey(new byte[] {(byte) 0xFF}), "binary");
            broker.publish(queue, withKey("base64:_w"), "text");
            broker.publish(queue, withKey(new byte[] {(byte) 0xFF}), "binary again");
            broker.publish(queue, withKey("base64:_w"), "text again");

            await().atMost(PATIENCE).until(() -> meters.deliveries("ack") == 4);
            assertThat(handled).containsExactly("binary", "text");
            assertThat(meters.results("duplicate")).isEqualTo(2);
            connection.close();
        }
    }

    private static AMQP.BasicProperties withKey(Object value) {
        return new AMQP.BasicProperties.Builder()
                .headers(Map.of(DedupHeaders.IDEMPOTENCY_KEY, value))
                .build();
    }
}
