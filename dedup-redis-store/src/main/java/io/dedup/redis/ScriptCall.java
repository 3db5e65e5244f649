package io.dedup.redis;

import io.dedup.DedupKey;
import java.util.List;

/**
 * One run of a script on one or more records (several only on a standalone server, where every key is on the one
 * node).
 *
 * @param script the script
 * @param keys the dedup keys the records belong to, in order, for answers and error messages
 * @param redisKeys the records' Redis keys, in the same order
 * @param args the script's ARGV, already encoded
 */
record ScriptCall(Script script, List<DedupKey> keys, byte[][] redisKeys, byte[][] args) {
    /** A call on one record: renew, release, find, or a one-key claim or completion. */
    static ScriptCall of(Script script, DedupKey key, byte[] redisKey, byte[]... args) {
        return new ScriptCall(script, List.of(key), new byte[][] {redisKey}, args);
    }

    /**
     * The key named in messages: the only one, or the first of several. A failure of a call fails all its keys, so
     * naming the first (and how many more) is enough to find them.
     */
    DedupKey firstKey() {
        return keys.get(0);
    }
}
