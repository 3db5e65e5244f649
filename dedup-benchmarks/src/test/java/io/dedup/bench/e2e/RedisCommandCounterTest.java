package io.dedup.bench.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.api.StatefulRedisConnection;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.service.ServiceHelper;
import org.junit.jupiter.api.Test;

/** Against the real Redis: store calls are the commands of the benchmark's own clients, nobody else's. */
class RedisCommandCounterTest extends LocalBenchServices {
    @Test
    void counts_each_command_of_the_store_client() {
        String prefix = "bench-test-" + System.nanoTime() + ":";
        try (StatefulRedisConnection<String, String> connection =
                services.redisClient().connect()) {
            long before = services.storeRoundTrips(StoreKind.REDIS);
            for (int i = 0; i < 5; i++) {
                connection.sync().set(prefix + i, "v");
            }
            connection.sync().get(prefix + 0);

            assertThat(services.storeRoundTrips(StoreKind.REDIS) - before).isEqualTo(6);
        } finally {
            assertThat(services.deleteRedisKeys(prefix)).isEqualTo(5);
        }
    }

    @Test
    void camel_redis_repository_makes_one_counted_command_per_add() throws Exception {
        ArmRun run = newRun(10);
        CamelRepository camelRedis = CamelRepositories.redis();
        try {
            IdempotentRepository repository = camelRedis.create(run);
            ServiceHelper.startService(repository);
            repository.add("warm-up");
            long before = services.storeRoundTrips(StoreKind.REDIS);

            assertThat(repository.add("order-1")).isTrue();
            assertThat(repository.add("order-1")).isFalse();
            assertThat(repository.add("order-2")).isTrue();

            assertThat(services.storeRoundTrips(StoreKind.REDIS) - before).isEqualTo(3);
            ServiceHelper.stopService(repository);
        } finally {
            camelRedis.cleanUp(run);
        }
    }
}
