package io.dedup.redis;

import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;

/** Keys as UTF-8 strings, values (script arguments and replies) as raw bytes, so outcome bodies stay binary. */
final class Codec {
    static final RedisCodec<String, byte[]> INSTANCE = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

    private Codec() {}
}
