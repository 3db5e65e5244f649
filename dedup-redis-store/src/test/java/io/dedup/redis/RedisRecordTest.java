package io.dedup.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dedup.Claim;
import io.dedup.DedupKey;
import io.dedup.DedupStoreCorruptionException;
import io.dedup.DedupStoreUnavailableException;
import io.dedup.OutcomeStatus;
import io.dedup.spi.ClaimRequest;
import io.dedup.spi.ClaimResult;
import io.dedup.spi.Completion;
import io.dedup.spi.WriteResult;
import io.lettuce.core.RedisClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the store keeps in Redis per key, how it reads what it did not write, and ACL users. */
class RedisRecordTest {
    private static final Duration LONG = Duration.ofMinutes(10);
    private final String prefix = RedisTestSupport.uniquePrefix("record");
    private final RedisDedupStore store =
            RedisDedupStore.builder(RedisTestSupport.uri()).keyPrefix(prefix).build();

    @AfterEach
    void cleanUp() {
        store.close();
        RedisTestSupport.deleteAll(prefix);
    }

    private Claim acquire(DedupKey key) {
        return ((ClaimResult.Acquired) store.claim(ClaimRequest.of(key, LONG, LONG))).claim();
    }

    @Test
    void a_completed_key_without_a_body_is_a_small_hash_with_one_letter_fields() {
        DedupKey key = DedupKey.of("orders-service", "order-" + UUID.randomUUID());
        Claim claim = acquire(key);
        store.complete(new Completion(key, claim.token(), OutcomeStatus.SUCCEEDED, new byte[0], Duration.ofHours(24)));
        String redisKey = store.redisKey(key);
        Map<String, String> fields = RedisTestSupport.withRedis(redis -> redis.hgetall(redisKey));
        assertThat(fields).containsOnlyKeys("s", "t", "c");
        assertThat(fields).containsEntry("s", "S").containsEntry("t", "1");
        assertThat(fields.get("t")).isEqualTo(Long.toString(claim.token()));
        long bytes = RedisTestSupport.withRedis(redis -> redis.memoryUsage(redisKey));
        assertThat(bytes).as("MEMORY USAGE of %s", redisKey).isLessThanOrEqualTo(200);
        long ttl = RedisTestSupport.withRedis(redis -> redis.pttl(redisKey));
        assertThat(ttl)
                .isBetween(Duration.ofHours(23).toMillis(), Duration.ofHours(24).toMillis());
    }

    @Test
    void a_key_holding_something_else_is_reported_as_corrupt_naming_the_key() {
        DedupKey string = DedupKey.of("corrupt", "a-string");
        DedupKey garbage = DedupKey.of("corrupt", "bad-state");
        DedupKey fine = DedupKey.of("corrupt", "fine");
        RedisTestSupport.withRedis(redis -> {
            redis.set(store.redisKey(string), "not a record");
            redis.hset(store.redisKey(garbage), Map.of("s", "Z", "t", "1"));
            redis.expire(store.redisKey(string), 600);
            return redis.expire(store.redisKey(garbage), 600);
        });
        assertThatThrownBy(() -> store.claim(ClaimRequest.of(string, LONG, LONG)))
                .isInstanceOf(DedupStoreCorruptionException.class)
                .hasMessageContaining("corrupt/a-string")
                .satisfies(e ->
                        assertThat(((DedupStoreCorruptionException) e).key()).isEqualTo(string));
        assertThatThrownBy(() -> store.find(garbage))
                .isInstanceOf(DedupStoreCorruptionException.class)
                .hasMessageContaining("unknown state");
        List<ClaimResult> batch = store.claimAll(List.of(
                ClaimRequest.of(string, LONG, LONG),
                ClaimRequest.of(garbage, LONG, LONG),
                ClaimRequest.of(fine, LONG, LONG)));
        assertThat(batch.get(0)).isInstanceOf(ClaimResult.Failed.class);
        assertThat(((ClaimResult.Failed) batch.get(0)).cause()).isInstanceOf(DedupStoreCorruptionException.class);
        assertThat(((ClaimResult.Failed) batch.get(1)).cause()).isInstanceOf(DedupStoreCorruptionException.class);
        assertThat(batch.get(2)).isInstanceOf(ClaimResult.Acquired.class);
        List<WriteResult> written =
                store.completeAll(List.of(new Completion(string, 1, OutcomeStatus.SUCCEEDED, new byte[0], LONG)));
        assertThat(written.get(0)).isInstanceOf(WriteResult.Failed.class);
    }

    @Test
    void a_record_with_a_token_but_no_state_is_corrupt_not_a_new_key() {
        DedupKey damaged = DedupKey.of("corrupt", "no-state");
        RedisTestSupport.withRedis(redis -> {
            redis.hset(store.redisKey(damaged), Map.of("t", "7", "l", "1"));
            return redis.expire(store.redisKey(damaged), 600);
        });
        assertThatThrownBy(() -> store.claim(ClaimRequest.of(damaged, LONG, LONG)))
                .isInstanceOf(DedupStoreCorruptionException.class)
                .hasMessageContaining("corrupt/no-state")
                .hasMessageContaining("state missing");
    }

    @Test
    void a_hash_of_foreign_fields_under_a_record_key_is_corrupt_not_taken_over() {
        // Found by dedup-chaos (hostile input): such a hash looked absent and was claimed, keeping its fields.
        DedupKey foreign = DedupKey.of("corrupt", "foreign-hash");
        RedisTestSupport.withRedis(redis -> {
            redis.hset(store.redisKey(foreign), Map.of("state", "BANANA", "token", "x"));
            return redis.expire(store.redisKey(foreign), 600);
        });
        assertThatThrownBy(() -> store.claim(ClaimRequest.of(foreign, LONG, LONG)))
                .isInstanceOf(DedupStoreCorruptionException.class)
                .hasMessageContaining("corrupt/foreign-hash")
                .hasMessageContaining("foreign field");
        Map<String, String> left = RedisTestSupport.withRedis(redis -> redis.hgetall(store.redisKey(foreign)));
        assertThat(left).containsOnlyKeys("state", "token");
    }

    @Test
    void an_acl_user_limited_to_the_key_prefix_can_use_the_store_and_a_wrong_password_cannot() {
        String user = "dedup-test-" + UUID.randomUUID().toString().substring(0, 8);
        String password = UUID.randomUUID().toString();
        RedisTestSupport.withRedis(redis -> redis.aclSetuser(
                user,
                io.lettuce.core.AclSetuserArgs.Builder.on()
                        .addPassword(password)
                        .keyPattern(prefix + "*")
                        .addCommand(io.lettuce.core.protocol.CommandType.EVALSHA)
                        .addCommand(io.lettuce.core.protocol.CommandType.EVAL)
                        .addCategory(io.lettuce.core.AclCategory.HASH)
                        .addCategory(io.lettuce.core.AclCategory.KEYSPACE)
                        .addCommand(io.lettuce.core.protocol.CommandType.TIME)));
        String endpoint = RedisTestSupport.uri().substring("redis://".length());
        try (RedisDedupStore acl = RedisDedupStore.builder("redis://" + user + ":" + password + "@" + endpoint)
                        .keyPrefix(prefix)
                        .build();
                RedisDedupStore wrong = RedisDedupStore.builder("redis://" + user + ":wrong@" + endpoint)
                        .keyPrefix(prefix)
                        .build();
                RedisDedupStore outside = RedisDedupStore.builder("redis://" + user + ":" + password + "@" + endpoint)
                        .keyPrefix("elsewhere:")
                        .build()) {
            DedupKey key = DedupKey.of("acl", "k1");
            Claim claim = ((ClaimResult.Acquired) acl.claim(ClaimRequest.of(key, LONG, LONG))).claim();
            assertThat(acl.complete(new Completion(key, claim.token(), OutcomeStatus.SUCCEEDED, new byte[] {1}, LONG)))
                    .isEqualTo(WriteResult.APPLIED);
            assertThat(acl.find(key)).isPresent();
            assertThatThrownBy(() -> wrong.claim(ClaimRequest.of(key, LONG, LONG)))
                    .isInstanceOf(DedupStoreUnavailableException.class)
                    .hasMessageNotContaining(password);
            assertThatThrownBy(() -> outside.claim(ClaimRequest.of(key, LONG, LONG)))
                    .isInstanceOf(DedupStoreUnavailableException.class)
                    .hasMessageContaining("NOPERM");
        } finally {
            RedisTestSupport.withRedis(redis -> redis.aclDeluser(user));
        }
    }

    @Test
    void a_store_on_the_applications_client_leaves_the_client_open() {
        RedisClient client = RedisClient.create(RedisTestSupport.uri());
        try {
            try (RedisDedupStore onClient =
                    RedisDedupStore.builder(client).keyPrefix(prefix).build()) {
                assertThat(onClient.claim(ClaimRequest.of(DedupKey.of("client", "k"), LONG, LONG)))
                        .isInstanceOf(ClaimResult.Acquired.class);
                assertThat(onClient.describe()).contains("application's RedisClient");
            }
            try (var connection = client.connect()) {
                assertThat(connection.sync().ping()).isEqualTo("PONG");
            }
        } finally {
            client.shutdown();
        }
    }
}
