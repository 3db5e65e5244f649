package io.dedup.spring.rabbit;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dedup.spring.fixture.BrokerOnlyApplication;
import io.dedup.testkit.LocalServices;
import io.dedup.testkit.ServiceEndpoint;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.annotation.Bean;

/** A deduplicated listener in acknowledge mode NONE is refused when the application starts, naming the listener. */
class RabbitAckModeTest {
    static final String QUEUE =
            "dedup-boot-noack-" + UUID.randomUUID().toString().substring(0, 8);

    @Test
    void a_listener_in_acknowledge_mode_none_is_refused_at_startup_with_its_name() {
        ServiceEndpoint rabbit = LocalServices.rabbitmq();
        try {
            assertThatThrownBy(() -> new SpringApplicationBuilder(App.class)
                            .properties(
                                    "spring.rabbitmq.host=" + rabbit.host(),
                                    "spring.rabbitmq.port=" + rabbit.port(),
                                    "spring.rabbitmq.username=" + rabbit.user(),
                                    "spring.rabbitmq.password=" + rabbit.password(),
                                    "test.queue=" + QUEUE,
                                    "dedup.store.type=memory")
                            .run()
                            .close())
                    .rootCause()
                    .hasMessageContaining("@RabbitListener 'unacked' on " + QUEUE)
                    .hasMessageContaining("acknowledge mode NONE");
        } finally {
            CachingConnectionFactory connections = new CachingConnectionFactory(rabbit.host(), rabbit.port());
            connections.setUsername(rabbit.user());
            connections.setPassword(rabbit.password());
            AmqpAdmin admin = new RabbitAdmin(connections);
            admin.deleteQueue(QUEUE);
            connections.destroy();
        }
    }

    @BrokerOnlyApplication
    static class App {
        @Bean
        Queue queue(org.springframework.core.env.Environment env) {
            return TestRabbit.queue(env.getProperty("test.queue"));
        }

        @Bean
        Listener listener() {
            return new Listener();
        }
    }

    static class Listener {
        @RabbitListener(id = "unacked", queues = "${test.queue}", ackMode = "NONE")
        void onMessage(String body) {}
    }
}
