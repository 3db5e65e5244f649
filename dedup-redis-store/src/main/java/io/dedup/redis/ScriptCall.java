package io.dedup.redis;

import io.dedup.DedupKey;

/**
 * One run of a script on one record.
 *
 * @param script the script
 * @param key the dedup key the record belongs to, for error messages
 * @param redisKey the record's Redis key
 * @param args the script's ARGV, already encoded
 */
record ScriptCall(Script script, DedupKey key, String redisKey, byte[][] args) {}
