package io.dedup.redis;

import io.dedup.DedupKey;
import io.dedup.spi.ClaimRequest;
import io.dedup.spi.Completion;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns the store's operations into script calls: which records each call touches and its arguments, encoded as
 * the scripts read them (decimal ASCII numbers, milliseconds for durations). The scripts judge every time by
 * Redis' clock, so no call carries a time of this process, only durations. Immutable and thread-safe.
 */
final class ScriptCalls {
    /** Leases and retentions longer than this are cut to it (Redis rejects expiry times far in the future). */
    static final Duration LONGEST_DURATION = Duration.ofDays(365L * 100);

    /** The claim script's third argument: per-key fingerprints follow. */
    private static final byte[] FINGERPRINTS = {'1'};
    /** The claim script's third argument: none follow (the common case, so the call stays short). */
    private static final byte[] NO_FINGERPRINTS = {'0'};
    /** A key without a fingerprint in a call where others have one. */
    private static final byte[] NO_FINGERPRINT = {};

    private final RecordKeys keys;

    ScriptCalls(RecordKeys keys) {
        this.keys = keys;
    }

    /**
     * The calls for a batch of claims: runs of up to {@code perCall} requests with the same lease and retention,
     * which the call passes once. Fingerprints go one per key, and only in a call that has one.
     */
    List<ScriptCall> claims(List<ClaimRequest> requests, int perCall) {
        List<ScriptCall> calls = new ArrayList<>();
        int n = requests.size();
        for (int start = 0, end; start < n; start = end) {
            ClaimRequest first = requests.get(start);
            boolean fingerprints = first.fingerprint().isPresent();
            end = start + 1;
            // Adapters claim a poll with one lease and retention, so a batch is mostly one call per perCall keys.
            while (end < n
                    && end - start < perCall
                    && requests.get(end).lease().equals(first.lease())
                    && requests.get(end).retention().equals(first.retention())) {
                fingerprints |= requests.get(end).fingerprint().isPresent();
                end++;
            }
            int count = end - start;
            byte[][] args = new byte[3 + (fingerprints ? count : 0)][];
            args[0] = millis(first.lease());
            args[1] = millis(first.retention());
            args[2] = fingerprints ? FINGERPRINTS : NO_FINGERPRINTS;
            DedupKey[] callKeys = new DedupKey[count];
            for (int i = 0; i < count; i++) {
                ClaimRequest request = requests.get(start + i);
                callKeys[i] = request.key();
                if (fingerprints) {
                    // '=' marks a fingerprint, so that an empty argument can mean "this key has none".
                    args[3 + i] = request.fingerprint()
                            .map(f -> ("=" + f).getBytes(StandardCharsets.UTF_8))
                            .orElse(NO_FINGERPRINT);
                }
            }
            calls.add(call(Script.CLAIM, callKeys, args));
        }
        return calls;
    }

    /** The calls for a batch of completions: runs of up to {@code perCall} with the same retention. */
    List<ScriptCall> completions(List<Completion> completions, int perCall) {
        List<ScriptCall> calls = new ArrayList<>();
        int n = completions.size();
        for (int start = 0, end; start < n; start = end) {
            Completion first = completions.get(start);
            end = start + 1;
            while (end < n
                    && end - start < perCall
                    && completions.get(end).retention().equals(first.retention())) {
                end++;
            }
            int count = end - start;
            byte[][] args = new byte[1 + count][];
            args[0] = millis(first.retention());
            DedupKey[] callKeys = new DedupKey[count];
            for (int i = 0; i < count; i++) {
                callKeys[i] = completions.get(start + i).key();
                args[1 + i] = completionArg(completions.get(start + i));
            }
            calls.add(call(Script.COMPLETE, callKeys, args));
        }
        return calls;
    }

    /** A call of {@code script} on the records of {@code callKeys}, in order. */
    private ScriptCall call(Script script, DedupKey[] callKeys, byte[][] args) {
        byte[][] redisKeys = new byte[callKeys.length][];
        for (int i = 0; i < callKeys.length; i++) {
            redisKeys[i] = keys.bytes(callKeys[i]);
        }
        return new ScriptCall(script, List.of(callKeys), redisKeys, args);
    }

    /**
     * A call of {@code script} (renew or release) on the record held under {@code token}; {@code duration} is the
     * new lease or the retention. The script compares the token with the stored one, so a stale holder is fenced.
     */
    ScriptCall heldKey(Script script, DedupKey key, long token, Duration duration) {
        return ScriptCall.of(script, key, keys.bytes(key), ascii(token), millis(duration));
    }

    /** The call that reads {@code key}'s record. */
    ScriptCall find(DedupKey key) {
        return ScriptCall.of(Script.FIND, key, keys.bytes(key));
    }

    /**
     * One completion as the script reads it: the final state, the token, ':' and the body, in one argument. One
     * argument per key rather than three keeps the batch's argument list, and Lettuce's encoding work, short.
     */
    static byte[] completionArg(Completion completion) {
        long token = completion.token();
        byte[] body = completion.body();
        int digits = token < 0 ? Long.toString(token).length() : decimalDigits(token);
        byte[] arg = new byte[1 + digits + 1 + body.length];
        arg[0] = Replies.encode(completion.status());
        if (token < 0) {
            byte[] text = Long.toString(token).getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(text, 0, arg, 1, digits);
        } else {
            // Digits written in place: no String per completion on the batch path.
            long rest = token;
            for (int i = digits; i >= 1; i--) {
                arg[i] = (byte) ('0' + rest % 10);
                rest /= 10;
            }
        }
        arg[1 + digits] = ':';
        System.arraycopy(body, 0, arg, 2 + digits, body.length);
        return arg;
    }

    private static int decimalDigits(long value) {
        int digits = 1;
        for (long rest = value / 10; rest > 0; rest /= 10) {
            digits++;
        }
        return digits;
    }

    private static byte[] ascii(long value) {
        return Long.toString(value).getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Whole milliseconds, at least one (a zero expiry would delete the record at once, PX 0 is an error), at most
     * {@link #LONGEST_DURATION}.
     */
    static byte[] millis(Duration duration) {
        long millis = duration.compareTo(LONGEST_DURATION) > 0
                ? LONGEST_DURATION.toMillis()
                : Math.max(1, duration.toMillis());
        return ascii(millis);
    }
}
