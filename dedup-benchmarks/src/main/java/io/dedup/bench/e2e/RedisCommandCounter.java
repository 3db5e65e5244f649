package io.dedup.bench.e2e;

import io.lettuce.core.metrics.CommandLatencyRecorder;
import io.lettuce.core.protocol.ProtocolKeyword;
import java.net.SocketAddress;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the Redis commands completed by every Lettuce client built on the {@link BenchServices#redisResources()
 * benchmark's client resources}: Lettuce reports each command here when it completes. A pipelined batch counts
 * one per command; a Lua script call ({@code EVALSHA}) counts once however many keys it touches, as in {@code
 * INFO commandstats}. Counted at the client rather than from the server's {@code INFO commandstats} because that
 * is server-wide: on a shared Redis it also counts other clients' commands, and anyone's {@code CONFIG RESETSTAT}
 * or restart breaks the deltas (a quick run on the shared server measured 330 and then -2521 calls per message
 * for an arm that makes exactly one). Thread-safe.
 */
final class RedisCommandCounter implements CommandLatencyRecorder {
    /** Commands completed so far on the counted clients. */
    private final AtomicLong commands = new AtomicLong();

    /** Called by Lettuce once per completed command; only the count is kept. */
    @Override
    public void recordCommandLatency(
            SocketAddress local,
            SocketAddress remote,
            ProtocolKeyword commandType,
            long firstResponseLatency,
            long completionLatency) {
        commands.incrementAndGet();
    }

    /** Always on: Lettuce records nothing for a disabled recorder. */
    @Override
    public boolean isEnabled() {
        return true;
    }

    /** Commands completed so far. */
    long commands() {
        return commands.get();
    }
}
