package io.dedup.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dedup.Claim;
import io.dedup.DedupKey;
import io.dedup.DedupStoreUnavailableException;
import io.dedup.OutcomeStatus;
import io.dedup.spi.ClaimRequest;
import io.dedup.spi.ClaimResult;
import io.dedup.spi.Completion;
import io.dedup.spi.RecordState;
import io.dedup.spi.StoredRecord;
import io.dedup.spi.WriteResult;
import io.dedup.testkit.LocalServices;
import io.dedup.testkit.ServiceEndpoint;
import io.dedup.testkit.TcpProxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Redis behind a TCP proxy that is cut, refused and stalled: the store answers with
 * {@link DedupStoreUnavailableException}, never with a false "acquired" or "duplicate", and answers again by
 * itself once Redis is reachable.
 */
class RedisOutageTest {
    private static final Duration LONG = Duration.ofMinutes(10);
    private static final String PREFIX = RedisTestSupport.uniquePrefix("outage");

    private TcpProxy proxy;
    private RedisDedupStore store;
    private RedisDedupStore direct;

    @BeforeEach
    void start() {
        ServiceEndpoint redis = LocalServices.redis();
        proxy = TcpProxy.start(redis.host(), redis.port());
        store = RedisDedupStore.builder("redis://127.0.0.1:" + proxy.port())
                .keyPrefix(PREFIX)
                .commandTimeout(Duration.ofSeconds(1))
                .build();
        direct = RedisDedupStore.builder(redis.uri()).keyPrefix(PREFIX).build();
    }

    @AfterEach
    void stop() {
        store.close();
        direct.close();
        proxy.close();
        RedisTestSupport.deleteAll(PREFIX);
    }

    private static DedupKey key(String id) {
        return DedupKey.of("outage", id);
    }

    private static ClaimRequest request(DedupKey key) {
        return ClaimRequest.of(key, LONG, LONG);
    }

    private void goDown() {
        proxy.refuse();
        proxy.cut();
    }

    @Test
    void every_operation_throws_unavailable_while_redis_is_unreachable_and_the_store_recovers_by_itself() {
        Claim done = ((ClaimResult.Acquired) store.claim(request(key("done")))).claim();
        assertThat(store.complete(
                        new Completion(done.key(), done.token(), OutcomeStatus.SUCCEEDED, new byte[] {1}, LONG)))
                .isEqualTo(WriteResult.APPLIED);
        Claim held = ((ClaimResult.Acquired) store.claim(request(key("held")))).claim();

        goDown();
        assertThatThrownBy(() -> store.claim(request(key("done")))).isInstanceOf(DedupStoreUnavailableException.class);
        assertThatThrownBy(() -> store.claim(request(key("new")))).isInstanceOf(DedupStoreUnavailableException.class);
        assertThatThrownBy(() -> store.claimAll(List.of(request(key("done")), request(key("new")))))
                .isInstanceOf(DedupStoreUnavailableException.class);
        assertThatThrownBy(() -> store.completeAll(
                        List.of(new Completion(held.key(), held.token(), OutcomeStatus.SUCCEEDED, new byte[0], LONG))))
                .isInstanceOf(DedupStoreUnavailableException.class);
        assertThatThrownBy(() -> store.renew(held.key(), held.token(), LONG))
                .isInstanceOf(DedupStoreUnavailableException.class);
        assertThatThrownBy(() -> store.release(held.key(), held.token(), LONG))
                .isInstanceOf(DedupStoreUnavailableException.class)
                .hasMessageNotContaining("password");
        assertThatThrownBy(() -> store.find(held.key())).isInstanceOf(DedupStoreUnavailableException.class);

        proxy.restore();
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(50))
                .ignoreExceptionsInstanceOf(DedupStoreUnavailableException.class)
                .until(() -> store.find(held.key()).isPresent());
        // Nothing was lost or invented while Redis was out of reach.
        assertThat(store.claim(request(key("done")))).isInstanceOf(ClaimResult.Duplicate.class);
        assertThat(store.claim(request(key("held")))).isInstanceOf(ClaimResult.InProgress.class);
        assertThat(store.find(key("new"))).isEmpty();
        assertThat(store.release(held.key(), held.token(), LONG)).isEqualTo(WriteResult.APPLIED);
    }

    @Test
    void a_cut_in_the_middle_of_a_run_gives_typed_errors_and_no_false_results() throws Exception {
        Map<DedupKey, Long> acquired = new ConcurrentHashMap<>();
        AtomicInteger unavailable = new AtomicInteger();
        AtomicInteger answeredAfterRestore = new AtomicInteger();
        AtomicBoolean restored = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService worker = Executors.newSingleThreadExecutor();
        try {
            Future<?> run = worker.submit(() -> {
                for (int batch = 0; !stop.get() && batch < 100_000; batch++) {
                    List<ClaimRequest> requests = new ArrayList<>();
                    for (int i = 0; i < 20; i++) {
                        requests.add(request(key("run-" + batch + "-" + i)));
                    }
                    try {
                        for (ClaimResult result : store.claimAll(requests)) {
                            if (result instanceof ClaimResult.Acquired a) {
                                acquired.put(a.key(), a.claim().token());
                            } else if (result instanceof ClaimResult.Failed f) {
                                assertThat(f.cause()).isInstanceOf(DedupStoreUnavailableException.class);
                                unavailable.incrementAndGet();
                            } else {
                                throw new AssertionError("a fresh key answered " + result);
                            }
                        }
                        if (restored.get()) {
                            answeredAfterRestore.incrementAndGet();
                        }
                    } catch (DedupStoreUnavailableException e) {
                        unavailable.incrementAndGet();
                    }
                }
            });
            await().atMost(Duration.ofSeconds(10)).until(() -> acquired.size() >= 200);
            goDown();
            await().atMost(Duration.ofSeconds(10)).until(() -> unavailable.get() >= 3);
            proxy.restore();
            restored.set(true);
            await().atMost(Duration.ofSeconds(30)).until(() -> answeredAfterRestore.get() >= 5);
            stop.set(true);
            run.get(30, TimeUnit.SECONDS);
        } finally {
            stop.set(true);
            worker.shutdownNow();
        }
        // Every "acquired" the worker saw is held in Redis under exactly that token.
        for (Map.Entry<DedupKey, Long> entry : acquired.entrySet()) {
            StoredRecord record = direct.find(entry.getKey()).orElseThrow();
            assertThat(record.state()).isEqualTo(RecordState.IN_PROGRESS);
            assertThat(record.token()).as("token of %s", entry.getKey()).isEqualTo(entry.getValue());
        }
    }

    @Test
    void a_stalled_connection_times_out_as_unavailable_within_the_command_timeout() {
        assertThat(store.claim(request(key("before")))).isInstanceOf(ClaimResult.Acquired.class);
        proxy.stall();
        assertThatThrownBy(() -> store.claim(request(key("stalled"))))
                .isInstanceOf(DedupStoreUnavailableException.class)
                .hasMessageContaining("stalled");
        assertThatThrownBy(() -> store.claimAll(List.of(request(key("stalled-1")), request(key("stalled-2")))))
                .isInstanceOf(DedupStoreUnavailableException.class);
        proxy.restore();
        proxy.cut();
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(50))
                .ignoreExceptionsInstanceOf(DedupStoreUnavailableException.class)
                .until(() -> store.claim(request(key("after"))) instanceof ClaimResult.Acquired);
        // Claims that timed out either never ran or left the key held: never acquired twice.
        assertThat(store.claim(request(key("before")))).isInstanceOf(ClaimResult.InProgress.class);
        assertThat(store.claim(request(key("stalled")))).isNotInstanceOf(ClaimResult.Duplicate.class);
    }
}
