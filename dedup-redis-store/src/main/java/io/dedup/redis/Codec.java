package io.dedup.redis;

import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;

/**
 * Keys (UTF-8 names, encoded once by {@link RecordKeys}) and values (script arguments and replies) as raw bytes, so
 * that outcome bodies stay binary. {@link ByteArrayCodec} writes straight into Lettuce's output buffer, where a
 * codec composed of two others would wrap every key and argument in a {@code ByteBuffer} first.
 */
final class Codec {
    /** Stateless and thread-safe, so one instance serves every connection. */
    static final RedisCodec<byte[], byte[]> INSTANCE = ByteArrayCodec.INSTANCE;

    private Codec() {}
}
