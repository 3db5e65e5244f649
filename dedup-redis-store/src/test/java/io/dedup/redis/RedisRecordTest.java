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
import io.dedup.spi.StoredRecord;
import io.dedup.spi.WriteResult;
import io.lettuce.core.RedisClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
    void a_completed_key_without_a_body_is_stored_as_one_integer() {
        DedupKey key = DedupKey.of(
                "orders-service", "order-" + UUID.randomUUID().toString().substring(0, 6));
        Claim claim = acquire(key);
        String redisKey = store.redisKey(key);
        assertThat(RedisTestSupport.<String>withRedis(redis -> redis.type(redisKey)))
                .isEqualTo("string");
        store.complete(new Completion(key, claim.token(), OutcomeStatus.SUCCEEDED, new byte[0], Duration.ofHours(24)));
        assertThat(RedisTestSupport.<String>withRedis(redis -> redis.objectEncoding(redisKey)))
                .as("OBJECT ENCODING of %s", redisKey)
                .isEqualTo("int");
        String value = RedisTestSupport.withRedis(redis -> redis.get(redisKey));
        assertThat(value)
                .startsWith(Long.toString(claim.token()))
                .hasSize(Long.toString(claim.token()).length() + 4);
        // As small as a key can be: what Redis spends on the key's name plus one integer. (With a name of 33
        // bytes, as docs/redis-store.md measures it, that is 88 bytes; this test's prefix is longer.)
        String bare = redisKey.substring(0, redisKey.length() - 1) + "~";
        long bytes = RedisTestSupport.withRedis(redis -> redis.memoryUsage(redisKey));
        long bareInteger = RedisTestSupport.withRedis(redis -> {
            redis.set(bare, "1234567890123456789");
            long usage = redis.memoryUsage(bare);
            redis.del(bare);
            return usage;
        });
        assertThat(bytes).as("MEMORY USAGE of %s", redisKey).isEqualTo(bareInteger);
        long ttl = RedisTestSupport.withRedis(redis -> redis.pttl(redisKey));
        assertThat(ttl)
                .isBetween(Duration.ofHours(23).toMillis(), Duration.ofHours(24).toMillis());
        StoredRecord found = store.find(key).orElseThrow();
        assertThat(found.token()).isEqualTo(claim.token());
        assertThat(found.attempts()).isEqualTo(1);
        assertThat(found.outcome().orElseThrow().status()).isEqualTo(OutcomeStatus.SUCCEEDED);
        assertThat(found.outcome().orElseThrow().body()).isEmpty();
    }

    @Test
    void a_failed_completion_without_a_body_is_a_negative_integer_read_back_as_failed() {
        DedupKey key = DedupKey.of("orders-service", "failed-" + UUID.randomUUID());
        Claim claim = acquire(key);
        store.complete(new Completion(key, claim.token(), OutcomeStatus.FAILED, new byte[0], LONG));
        assertThat(RedisTestSupport.<String>withRedis(redis -> redis.get(store.redisKey(key))))
                .startsWith("-");
        ClaimResult again = store.claim(ClaimRequest.of(key, LONG, LONG));
        assertThat(((ClaimResult.Duplicate) again).outcome().status()).isEqualTo(OutcomeStatus.FAILED);
        Instant completedAt = ((ClaimResult.Duplicate) again).outcome().completedAt();
        assertThat(completedAt)
                .isBetween(
                        claim.leaseUntil().minus(LONG),
                        claim.leaseUntil().minus(LONG).plusSeconds(10));
    }

    @Test
    void records_of_the_earlier_hash_format_are_read_and_rewritten_when_acquired() {
        DedupKey done = DedupKey.of("legacy", "done");
        DedupKey released = DedupKey.of("legacy", "released");
        DedupKey held = DedupKey.of("legacy", "held");
        long now = RedisTestSupport.withRedis(redis -> redis.time()).stream()
                        .findFirst()
                        .map(Long::parseLong)
                        .orElseThrow()
                * 1000;
        RedisTestSupport.withRedis(redis -> {
            redis.hset(store.redisKey(done), Map.of("s", "S", "t", "2", "c", Long.toString(now - 5000), "b", "ok"));
            redis.hset(store.redisKey(released), Map.of("s", "R", "t", "3", "f", "fp"));
            redis.hset(store.redisKey(held), Map.of("s", "P", "t", "1", "l", Long.toString(now + 600_000)));
            redis.expire(store.redisKey(done), 600);
            redis.expire(store.redisKey(released), 600);
            return redis.expire(store.redisKey(held), 600);
        });
        ClaimResult duplicate = store.claim(ClaimRequest.of(done, LONG, LONG));
        assertThat(((ClaimResult.Duplicate) duplicate).outcome().body())
                .isEqualTo("ok".getBytes(StandardCharsets.UTF_8));
        assertThat(((ClaimResult.Duplicate) duplicate).outcome().completedAt())
                .isEqualTo(Instant.ofEpochMilli(now - 5000));
        assertThat(store.find(done).orElseThrow().token()).isEqualTo(2);
        assertThat(store.claim(ClaimRequest.of(held, LONG, LONG)))
                .isInstanceOfSatisfying(ClaimResult.InProgress.class, p -> assertThat(p.holderToken())
                        .isEqualTo(1));
        assertThat(store.claim(new ClaimRequest(released, LONG, LONG, Optional.of("other"))))
                .isInstanceOf(ClaimResult.Conflict.class);
        Claim again = acquire(released);
        assertThat(again.token()).isGreaterThan(3);
        assertThat(again.attempt()).isEqualTo(4);
        assertThat(RedisTestSupport.<String>withRedis(redis -> redis.type(store.redisKey(released))))
                .isEqualTo("string");
        assertThat(store.release(released, 3, LONG)).isEqualTo(WriteResult.FENCED);
        assertThat(store.complete(new Completion(released, again.token(), OutcomeStatus.SUCCEEDED, new byte[0], LONG)))
                .isEqualTo(WriteResult.APPLIED);
        assertThat(store.find(released).orElseThrow().attempts()).isEqualTo(4);
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
        plantHash(damaged, Map.of("t", "7", "l", "1"));
        assertClaimIsCorrupt(damaged, "state missing");
    }

    @Test
    void a_hash_of_foreign_fields_under_a_record_key_is_corrupt_not_taken_over() {
        // Found by dedup-chaos (hostile input): such a hash looked absent and was claimed, keeping its fields.
        DedupKey foreign = DedupKey.of("corrupt", "foreign-hash");
        plantHash(foreign, Map.of("state", "BANANA", "token", "x"));
        assertClaimIsCorrupt(foreign, "foreign field");
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
                        .addCategory(io.lettuce.core.AclCategory.STRING)
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

    /** Writes a hash with {@code fields} under {@code key}'s record name, as an old or foreign writer might. */
    private void plantHash(DedupKey key, Map<String, String> fields) {
        RedisTestSupport.withRedis(redis -> {
            redis.hset(store.redisKey(key), fields);
            return redis.expire(store.redisKey(key), 600);
        });
    }

    /** A claim of {@code key} fails as corrupt, naming the key and {@code reason}. */
    private void assertClaimIsCorrupt(DedupKey key, String reason) {
        assertThatThrownBy(() -> store.claim(ClaimRequest.of(key, LONG, LONG)))
                .isInstanceOf(DedupStoreCorruptionException.class)
                .hasMessageContaining(key.namespace() + "/" + key.id())
                .hasMessageContaining(reason);
    }
}
