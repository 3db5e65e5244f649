package io.dedup.bench.e2e;

import io.lettuce.core.RedisFuture;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The physical reference for {@code dedup-redis}: what Redis and Lettuce can do per poll at the least, with no
 * fencing, no outcome, no scripts. A plain poll loop; per poll of up to {@value ArmRun#MAX_POLL_RECORDS} records
 * (the batch the store gets from the runner), one pipelined write of {@code SET key 1 NX PXAT} per record, the
 * handler for each record that {@code SET} created, then one pipelined write of {@code SET key S XX PXAT} per
 * handled record, then {@code commitAsync}. Same expiry as the runner's defaults (lease 30 s, retention 24 h), on
 * the benchmark's counted Lettuce client.
 *
 * <p>It is not a dedup layer a user should run (a crash between handler and completion leaves the key claimed, a
 * stale worker is not fenced), but it bounds what any Redis-backed dedup can reach with the same round trips: the
 * gap between {@code dedup-redis} and this arm is what fencing, outcomes and the Lua scripts cost. Not
 * thread-safe; one run at a time.
 */
public final class RedisCeilingArm extends NamedArm {
    /** The runner's default lease and retention, so the ceiling's keys live as long as the dedup arm's. */
    private static final long LEASE_MILLIS = Duration.ofSeconds(30).toMillis();

    private static final long RETENTION_MILLIS = Duration.ofHours(24).toMillis();
    /** The value of a claimed key: one byte, the least a claim can write. */
    private static final byte[] CLAIMED = {'1'};
    /** The value of a completed key: one byte for the outcome, where the store writes a record. */
    private static final byte[] DONE = {'S'};

    /** The run's connection, with auto-flush off so that each poll's commands go out as one pipeline. */
    private StatefulRedisConnection<byte[], byte[]> connection;

    /** The {@code redis-ceiling} arm. */
    public RedisCeilingArm() {
        super("redis-ceiling", StoreKind.REDIS, KAFKA);
    }

    /** Connects on the counted client, auto-flush off: commands are sent when a poll's pipeline is flushed. */
    @Override
    public void setUp(ArmRun run) {
        connection = run.services().redisClient().connect(ByteArrayCodec.INSTANCE);
        connection.setAutoFlushCommands(false);
    }

    @Override
    public void consume(ArmRun run) throws Exception {
        Progress progress = run.progress();
        String prefix = prefix(run);
        KafkaPollLoop.consume(run, records -> {
            // the run's prefix keeps this arm's keys apart from every other run's on the shared Redis
            List<ConsumerRecord<String, String>> polled = new ArrayList<>(records.count());
            List<byte[]> keys = new ArrayList<>(records.count());
            for (ConsumerRecord<String, String> record : records) {
                polled.add(record);
                keys.add((prefix + KafkaRecords.key(record)).getBytes(StandardCharsets.UTF_8));
            }
            poll(run, polled, keys);
            progress.delivered(keys.size());
        });
    }

    /**
     * One poll: one pipelined claim per record, the handler for each record its claim created, one pipelined
     * completion per handled record. Both pipelines are timed as one store call each, charged to every message that
     * waited for them, as {@link TimedDedupStore} charges the dedup arms.
     */
    private void poll(ArmRun run, List<ConsumerRecord<String, String>> polled, List<byte[]> keys) throws Exception {
        RedisAsyncCommands<byte[], byte[]> redis = connection.async();
        StoreTimings timings = run.storeTimings();
        long start = System.nanoTime();
        SetArgs claim = SetArgs.Builder.nx().pxAt(System.currentTimeMillis() + LEASE_MILLIS);
        List<RedisFuture<String>> claims = new ArrayList<>(keys.size());
        for (byte[] key : keys) {
            claims.add(redis.set(key, CLAIMED, claim));
        }
        connection.flushCommands();
        boolean[] acquired = new boolean[keys.size()];
        for (int i = 0; i < keys.size(); i++) {
            // SET NX answers OK only to the claim that created the key: the others are duplicates
            acquired[i] = "OK".equals(claims.get(i).get(run.timeout().toNanos(), TimeUnit.NANOSECONDS));
        }
        long claimNanos = System.nanoTime() - start;
        timings.call();
        List<byte[]> handled = new ArrayList<>(keys.size());
        for (int i = 0; i < keys.size(); i++) {
            if (acquired[i]) {
                run.handler()
                        .handle(KafkaRecords.key(polled.get(i)), polled.get(i).value());
                handled.add(keys.get(i));
            }
        }
        long completeNanos = 0;
        if (!handled.isEmpty()) {
            start = System.nanoTime();
            SetArgs done = SetArgs.Builder.xx().pxAt(System.currentTimeMillis() + RETENTION_MILLIS);
            List<RedisFuture<String>> completions = new ArrayList<>(handled.size());
            for (byte[] key : handled) {
                completions.add(redis.set(key, DONE, done));
            }
            connection.flushCommands();
            for (RedisFuture<String> completion : completions) {
                completion.get(run.timeout().toNanos(), TimeUnit.NANOSECONDS);
            }
            completeNanos = System.nanoTime() - start;
            timings.call();
        }
        for (int i = 0; i < keys.size(); i++) {
            timings.message(claimNanos + (acquired[i] ? completeNanos : 0));
        }
    }

    /** Closes the connection and deletes the run's keys, even if closing failed. */
    @Override
    public void tearDown(ArmRun run) {
        StatefulRedisConnection<byte[], byte[]> open = connection;
        connection = null;
        try {
            if (open != null) {
                open.close();
            }
        } finally {
            run.services().deleteRedisKeys(prefix(run));
        }
    }

    /** The run's key prefix, deleted in tearDown. */
    private static String prefix(ArmRun run) {
        return "bench:" + run.runId() + ":";
    }
}
