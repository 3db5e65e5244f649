package io.dedup.redis;

import io.dedup.DedupStoreCorruptionException;
import io.dedup.DedupStoreException;
import io.dedup.DedupStoreUnavailableException;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs the store's scripts: by EVALSHA, and by EVAL (which also caches the script on that server) when a server
 * answers NOSCRIPT, after a restart or SCRIPT FLUSH. Waits at most the command timeout for an answer; a command
 * that got none is cancelled, so that one still buffered in the client is never sent late. Every failure becomes
 * a {@link DedupStoreUnavailableException}, except a key holding something other than a record, which is a
 * {@link DedupStoreCorruptionException} naming the key. Thread-safe.
 *
 * @param port the standalone or cluster connection the scripts run on
 * @param timeout how long a call waits for its answer (the store's command timeout)
 */
record ScriptRunner(RedisPort port, Duration timeout) {
    /** How often a batch that is still waiting flushes commands that missed its write (see flushStragglers). */
    private static final long STRAGGLER_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    /**
     * The answer to one call: the script's reply, or why there is none.
     *
     * @param noScript the server did not know the script (NOSCRIPT): send its source, then it is cached
     */
    record Reply(List<Object> value, DedupStoreException error, boolean noScript) {
        static Reply of(List<Object> value) {
            return new Reply(value, null, false);
        }

        static Reply failed(DedupStoreException error) {
            return new Reply(null, error, false);
        }
    }

    /**
     * Runs one call.
     *
     * @throws DedupStoreUnavailableException if Redis cannot answer
     * @throws DedupStoreCorruptionException if the key holds something that is not a record
     */
    List<Object> run(ScriptCall call) {
        RedisScriptingAsyncCommands<byte[], byte[]> commands = port.commands(); // connecting has its own timeout
        long deadline = System.nanoTime() + timeout.toNanos();
        Reply reply = await(send(commands, call, true), call, deadline, false);
        // The retry shares the first attempt's deadline: a caller never waits longer than the command timeout.
        if (reply.noScript()) {
            reply = await(send(commands, call, false), call, deadline, false);
        }
        if (reply.error() != null) {
            throw reply.error();
        }
        return reply.value();
    }

    /**
     * Runs a batch in one round trip (two when a server lost its scripts), each waited for at most the command
     * timeout from when it was sent; one reply per call, in order.
     */
    List<Reply> runAll(List<ScriptCall> calls) {
        List<Reply> replies = pipeline(calls, true);
        List<Integer> missing = new ArrayList<>();
        for (int i = 0; i < replies.size(); i++) {
            if (replies.get(i).noScript()) {
                missing.add(i);
            }
        }
        // Only the calls whose server lost the scripts go again, with their source; the others keep their replies.
        if (!missing.isEmpty()) {
            List<ScriptCall> again = new ArrayList<>(missing.size());
            for (int i : missing) {
                again.add(calls.get(i));
            }
            List<Reply> loaded = pipeline(again, false);
            for (int j = 0; j < missing.size(); j++) {
                replies.set(missing.get(j), loaded.get(j));
            }
        }
        return replies;
    }

    /** Sends {@code calls} together and waits for each; failures are answered per call, never thrown. */
    private List<Reply> pipeline(List<ScriptCall> calls, boolean bySha) {
        // Only a cluster needs the keys (to connect to their masters first).
        List<byte[]> keys = new ArrayList<>(port.oneServer() ? 0 : calls.size());
        for (int i = 0; i < calls.size() && !port.oneServer(); i++) {
            keys.addAll(List.of(calls.get(i).redisKeys()));
        }
        List<RedisFuture<List<Object>>> futures;
        try {
            futures = port.pipeline(keys, commands -> {
                List<RedisFuture<List<Object>>> sent = new ArrayList<>(calls.size());
                for (ScriptCall call : calls) {
                    sent.add(send(commands, call, bySha));
                }
                return sent;
            });
        } catch (DedupStoreUnavailableException e) {
            List<Reply> failed = new ArrayList<>(calls.size());
            calls.forEach(call -> failed.add(Reply.failed(e)));
            return failed;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Reply> replies = new ArrayList<>(calls.size());
        for (int i = 0; i < calls.size(); i++) {
            replies.add(await(futures.get(i), calls.get(i), deadline, true));
        }
        return replies;
    }

    /** EVALSHA (the common case: a few bytes instead of the source), or EVAL after NOSCRIPT. */
    private static RedisFuture<List<Object>> send(
            RedisScriptingAsyncCommands<byte[], byte[]> commands, ScriptCall call, boolean bySha) {
        byte[][] keys = call.redisKeys();
        return bySha
                ? commands.evalsha(call.script().sha1(), ScriptOutputType.MULTI, keys, call.args())
                : commands.eval(call.script().source(), ScriptOutputType.MULTI, keys, call.args());
    }

    /**
     * Waits for one call's reply until {@code deadline}, in short steps: a batched call flushes stragglers between
     * steps (see {@link RedisPort#flushStragglers()}). A call with no answer by then is cancelled, so that Lettuce
     * never sends it after the caller was told it failed (a late claim could otherwise hold a key nobody runs).
     */
    private Reply await(RedisFuture<List<Object>> future, ScriptCall call, long deadline, boolean batched) {
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                try {
                    return Reply.of(
                            future.get(Math.max(0, Math.min(left, STRAGGLER_CHECK_NANOS)), TimeUnit.NANOSECONDS));
                } catch (TimeoutException e) {
                    if (left <= STRAGGLER_CHECK_NANOS) {
                        future.cancel(false);
                        return Reply.failed(unavailable(call, "no answer within " + timeout, null));
                    }
                    if (batched) {
                        port.flushStragglers();
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            future.cancel(false);
            return Reply.failed(unavailable(call, "interrupted while waiting for Redis", e));
        } catch (CancellationException e) {
            return Reply.failed(unavailable(call, "the command was cancelled", e));
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (cause instanceof RedisNoScriptException) {
                return new Reply(null, null, true);
            }
            if (cause instanceof RedisCommandExecutionException
                    && String.valueOf(cause.getMessage()).startsWith("WRONGTYPE")) {
                return Reply.failed(new DedupStoreCorruptionException(
                        call.firstKey(),
                        "Redis key " + new String(call.redisKeys()[0], StandardCharsets.UTF_8)
                                + " holds something other than a dedup record",
                        cause));
            }
            return Reply.failed(unavailable(call, String.valueOf(cause.getMessage()), cause));
        } catch (RuntimeException e) {
            future.cancel(false);
            return Reply.failed(unavailable(call, String.valueOf(e.getMessage()), e));
        }
    }

    /** Names the server, the script and the keys; never a password (the port's description has none). */
    private DedupStoreUnavailableException unavailable(ScriptCall call, String reason, Throwable cause) {
        return new DedupStoreUnavailableException(
                port.describe() + " could not run " + call.script().name() + " for " + call.firstKey()
                        + (call.keys().size() > 1 ? " and " + (call.keys().size() - 1) + " more keys" : "") + ": "
                        + reason,
                cause);
    }
}
