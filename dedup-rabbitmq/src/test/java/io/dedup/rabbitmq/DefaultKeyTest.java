package io.dedup.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Delivery;
import com.rabbitmq.client.Envelope;
import io.dedup.DedupConsumer;
import io.dedup.DedupResult;
import io.dedup.IdempotencyKeyMissingException;
import io.dedup.memory.InMemoryDedupStore;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DefaultKeyTest {
    private static Delivery delivery(String messageId) {
        return new Delivery(
                new Envelope(1, false, "", "orders"),
                new AMQP.BasicProperties.Builder().messageId(messageId).build(),
                new byte[] {1});
    }

    @Test
    void core_finds_the_message_id_of_a_delivery_without_configuration() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        try (DedupConsumer<Delivery> dedup = DedupConsumer.<Delivery>builder()
                .store(InMemoryDedupStore.create())
                .namespace("orders")
                .build()) {
            var handler = dedup.decorate(d -> runs.incrementAndGet());
            handler.handle(delivery("order-1"));
            handler.handle(delivery("order-1"));
            assertThat(runs).hasValue(1);
            assertThat(dedup.keyOf(delivery("order-1")).id()).isEqualTo("order-1");
        }
    }

    @Test
    void a_delivery_without_message_id_is_rejected_as_missing_its_key() {
        try (DedupConsumer<Delivery> dedup = DedupConsumer.<Delivery>builder()
                .store(InMemoryDedupStore.create())
                .build()) {
            DedupResult<Void> result = dedup.process(delivery(null), d -> null);
            assertThat(result).isInstanceOf(DedupResult.Rejected.class);
            assertThat(((DedupResult.Rejected<Void>) result).reason())
                    .isInstanceOf(IdempotencyKeyMissingException.class);
        }
    }
}
