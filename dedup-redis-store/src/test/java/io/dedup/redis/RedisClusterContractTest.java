package io.dedup.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dedup.DedupKey;
import io.dedup.DedupStoreUnavailableException;
import io.dedup.OutcomeStatus;
import io.dedup.spi.ClaimRequest;
import io.dedup.spi.ClaimResult;
import io.dedup.spi.Completion;
import io.dedup.spi.DedupStore;
import io.dedup.spi.WriteResult;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.models.partitions.Partitions;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The whole contract kit against a real three-master Redis Cluster started for this class, plus what only a
 * cluster shows: a batch spread over every master, a master dying under a batch, masters that lost their scripts.
 */
class RedisClusterContractTest extends RedisStoreContract {
    private static final Duration LONG = Duration.ofMinutes(10);

    @RegisterExtension
    static final LocalRedisCluster cluster = new LocalRedisCluster();

    @Override
    protected DedupStore createStore() {
        return cluster.store();
    }

    /** The port of the master owning each key's record. */
    private Map<DedupKey, Integer> mastersOf(List<DedupKey> keys) {
        RedisClusterClient client = cluster.client();
        client.refreshPartitions();
        Partitions partitions = client.getPartitions();
        Map<DedupKey, Integer> masters = new HashMap<>();
        RedisDedupStore redis = (RedisDedupStore) store;
        for (DedupKey key : keys) {
            int slot = SlotHash.getSlot(redis.redisKey(key).getBytes(StandardCharsets.UTF_8));
            RedisClusterNode master = partitions.getMasterBySlot(slot);
            masters.put(key, master.getUri().getPort());
        }
        return masters;
    }

    private List<DedupKey> keys(String prefix, int count) {
        List<DedupKey> keys = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            keys.add(key(prefix + i));
        }
        return keys;
    }

    private static List<ClaimRequest> requests(List<DedupKey> keys) {
        return keys.stream().map(k -> ClaimRequest.of(k, LONG, LONG)).toList();
    }

    @Test
    void a_batch_spanning_all_three_masters_is_answered_per_key_in_order() {
        List<DedupKey> keys = keys("span-", 60);
        assertThat(new HashSet<>(mastersOf(keys).values())).containsExactlyInAnyOrderElementsOf(cluster.ports());

        List<ClaimRequest> batch = new ArrayList<>(requests(keys));
        batch.add(ClaimRequest.of(keys.get(0), LONG, LONG)); // a repeat: in progress, as a sequential claim
        List<ClaimResult> claimed = store.claimAll(batch);
        assertThat(claimed.subList(0, keys.size())).allMatch(r -> r instanceof ClaimResult.Acquired);
        assertThat(claimed.get(keys.size())).isInstanceOf(ClaimResult.InProgress.class);
        for (int i = 0; i < keys.size(); i++) {
            assertThat(claimed.get(i).key()).isEqualTo(keys.get(i));
        }

        List<Completion> completions = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            var claim = ((ClaimResult.Acquired) claimed.get(i)).claim();
            completions.add(
                    new Completion(claim.key(), claim.token(), OutcomeStatus.SUCCEEDED, new byte[] {(byte) i}, LONG));
        }
        assertThat(store.completeAll(completions)).containsOnly(WriteResult.APPLIED);
        List<ClaimResult> again = store.claimAll(requests(keys));
        for (int i = 0; i < keys.size(); i++) {
            assertThat(again.get(i)).isInstanceOf(ClaimResult.Duplicate.class);
            assertThat(((ClaimResult.Duplicate) again.get(i)).outcome().body()).containsExactly((byte) i);
        }
    }

    @Test
    void a_dead_master_fails_only_its_own_keys_and_they_recover_when_it_returns() {
        List<DedupKey> keys = keys("dead-", 60);
        Map<DedupKey, Integer> masters = mastersOf(keys);
        int victim = cluster.ports().get(2);
        try (RedisDedupStore own = RedisDedupStore.builder(String.join(",", cluster.uris()))
                .cluster(true)
                .commandTimeout(Duration.ofSeconds(1))
                .build()) {
            assertThat(own.claim(ClaimRequest.of(key("warm-up"), LONG, LONG))).isInstanceOf(ClaimResult.Acquired.class);
            cluster.stopNode(2);
            List<ClaimResult> results;
            try {
                results = own.claimAll(requests(keys));
            } finally {
                cluster.startNode(2);
            }
            Set<DedupKey> failed = new HashSet<>();
            for (ClaimResult result : results) {
                if (masters.get(result.key()) == victim) {
                    assertThat(result)
                            .as("key on the dead master %s", result.key())
                            .isInstanceOf(ClaimResult.Failed.class);
                    assertThat(((ClaimResult.Failed) result).cause())
                            .isInstanceOf(DedupStoreUnavailableException.class);
                    failed.add(result.key());
                } else {
                    assertThat(result)
                            .as("key on a live master %s", result.key())
                            .isInstanceOf(ClaimResult.Acquired.class);
                }
            }
            assertThat(failed).isNotEmpty();

            // The restarted master is empty: its keys are acquired now; the others stay held.
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(100))
                    .untilAsserted(() -> {
                        List<ClaimResult> retried = own.claimAll(requests(keys));
                        for (ClaimResult result : retried) {
                            Class<?> expected = failed.contains(result.key())
                                    ? ClaimResult.Acquired.class
                                    : ClaimResult.InProgress.class;
                            assertThat(result)
                                    .as("%s after the master returned", result.key())
                                    .isInstanceOf(expected);
                        }
                    });
        }
    }

    @Test
    void masters_that_lost_their_scripts_load_them_again() {
        for (int port : cluster.ports()) {
            RedisClient node = RedisClient.create("redis://127.0.0.1:" + port);
            try (StatefulRedisConnection<String, String> connection = node.connect()) {
                connection.sync().scriptFlush();
            } finally {
                node.shutdown();
            }
        }
        List<DedupKey> keys = keys("flushed-", 30);
        assertThat(store.claimAll(requests(keys))).allMatch(r -> r instanceof ClaimResult.Acquired);
        assertThat(store.claim(ClaimRequest.of(key("flushed-single"), LONG, LONG)))
                .isInstanceOf(ClaimResult.Acquired.class);
    }
}
