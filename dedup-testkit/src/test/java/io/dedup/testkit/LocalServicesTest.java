package io.dedup.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LocalServicesTest {
    @Test
    void the_local_services_answer() {
        for (ServiceEndpoint endpoint : new ServiceEndpoint[] {
            LocalServices.redis(), LocalServices.postgres(), LocalServices.mariadb(), LocalServices.rabbitmq()
        }) {
            assertThat(LocalServices.answers(endpoint.host(), endpoint.port()))
                    .as(endpoint.toString())
                    .isTrue();
        }
        assertThat(LocalServices.redis().uri()).startsWith("redis://");
        assertThat(LocalServices.postgres().jdbcUrl())
                .startsWith("jdbc:postgresql://")
                .endsWith("/test");
        assertThat(LocalServices.mariadb().jdbcUrl())
                .startsWith("jdbc:mariadb://")
                .endsWith("/test");
        assertThat(LocalServices.rabbitmq().uri())
                .isEqualTo("amqp://guest:guest@" + LocalServices.rabbitmq().host() + ":"
                        + LocalServices.rabbitmq().port());
    }

    @Test
    void an_unreachable_service_without_docker_fails_saying_what_to_start() throws IOException {
        int deadPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            deadPort = s.getLocalPort();
        }
        ServiceEndpoint defaults = new ServiceEndpoint("redis", "127.0.0.1", 6379, "", "", "");
        Map<String, String> env = Map.of("DEDUP_TEST_REDIS", "127.0.0.1:" + deadPort);
        assertThatThrownBy(() -> LocalServices.locate(defaults, "redis-server --daemonize yes", env::get, () -> false))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("redis is not reachable at 127.0.0.1:" + deadPort)
                .hasMessageContaining("redis-server --daemonize yes")
                .hasMessageContaining("DEDUP_TEST_REDIS");
    }

    @Test
    void an_override_points_at_another_endpoint() {
        ServiceEndpoint defaults = new ServiceEndpoint("redis", "10.255.255.1", 1, "", "", "");
        Map<String, String> env = Map.of(
                "DEDUP_TEST_REDIS",
                LocalServices.redis().host() + ":" + LocalServices.redis().port());
        assertThat(LocalServices.locate(defaults, "", env::get, () -> false).port())
                .isEqualTo(LocalServices.redis().port());
        assertThatThrownBy(() ->
                        LocalServices.locate(defaults, "", Map.of("DEDUP_TEST_REDIS", "nohostport")::get, () -> false))
                .hasMessageContaining("host:port");
    }
}
