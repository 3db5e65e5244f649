package io.dedup.examples.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.ConnectionFactory;
import io.dedup.testkit.LocalServices;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class RabbitRpcExampleTest {
    @Test
    void a_duplicate_request_gets_the_stored_reply_without_the_service_computing_again() throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(LocalServices.rabbitmq().uri());
        RabbitRpcExample.Outcome outcome = RabbitRpcExample.run(
                factory, "quotes-" + UUID.randomUUID().toString().substring(0, 8));

        assertThat(outcome.first().replayed()).isFalse();
        assertThat(outcome.retry().replayed()).isTrue();
        assertThat(outcome.retry().body()).isEqualTo(outcome.first().body()); // the same quote id and validity
        assertThat(outcome.other().replayed()).isFalse();
        assertThat(outcome.other().body()).isNotEqualTo(outcome.first().body());
        assertThat(outcome.computed()).isEqualTo(2);
    }
}
