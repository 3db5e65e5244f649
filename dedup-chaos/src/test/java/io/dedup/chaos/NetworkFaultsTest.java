package io.dedup.chaos;

import io.dedup.chaos.ChaosRun.Mode;
import io.dedup.testkit.LocalServices;
import io.dedup.testkit.TcpProxy;
import java.time.Duration;
import java.util.Map;

/**
 * Network faults through a TCP proxy: between the consumers and RabbitMQ (connections cut: the broker requeues
 * what was unacked, the client recovers) and between the consumers and the store (connections cut, traffic frozen
 * past the store's timeouts, new connections refused).
 */
class NetworkFaultsTest {
    @EveryMode
    void survives_cut_broker_connections(Mode mode, String store) throws Exception {
        try (TcpProxy proxy = TcpProxy.start(
                        LocalServices.rabbitmq().host(),
                        LocalServices.rabbitmq().port());
                ChaosRun run = ChaosRun.start(
                        "rabbitmq-connections-cut",
                        mode,
                        store,
                        2,
                        Map.of("rabbitPort", String.valueOf(proxy.port())))) {
            run.underFaults(2, run.profile.faultRounds() * 2, round -> {
                System.out.printf(
                        "CHAOS %s: cut %d broker connections at %d keys%n",
                        run.scenario, proxy.openConnections() / 2, run.progress());
                proxy.cut();
            });
        }
    }

    @EveryMode
    void survives_a_cut_frozen_and_refusing_store_link(Mode mode, String store) throws Exception {
        try (ChaosRun run = ChaosRun.start("store-link-faults", mode, store)) {
            int targetPort = store.equals("redis") ? run.redis.port() : 5432;
            try (TcpProxy proxy = TcpProxy.start("127.0.0.1", targetPort)) {
                if (store.equals("redis")) {
                    run.set("redisUri", "redis://127.0.0.1:" + proxy.port());
                } else {
                    run.set("jdbcUrl", "jdbc:postgresql://127.0.0.1:" + proxy.port() + "/test");
                }
                run.underFaults(2, run.profile.faultRounds() * 3, round -> {
                    switch (round % 3) {
                        case 0 -> {
                            System.out.printf("CHAOS %s: store link cut at %d keys%n", run.scenario, run.progress());
                            proxy.cut();
                        }
                        case 1 -> {
                            Duration frozen = run.lease().plusSeconds(2);
                            System.out.printf(
                                    "CHAOS %s: store link frozen for %s at %d keys%n",
                                    run.scenario, frozen, run.progress());
                            proxy.stall();
                            Pause.millis(frozen.toMillis());
                            proxy.restore();
                        }
                        default -> {
                            System.out.printf(
                                    "CHAOS %s: store refuses connections for 3 s at %d keys%n",
                                    run.scenario, run.progress());
                            proxy.refuse();
                            proxy.cut();
                            Pause.millis(3000);
                            proxy.restore();
                        }
                    }
                });
            }
        }
    }
}
