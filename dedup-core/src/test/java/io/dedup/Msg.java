package io.dedup;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** A test message: an optional key and a body. */
record Msg(String key, String body) {
    static final KeyExtractor<Msg> KEY = m -> Optional.ofNullable(m.key());

    static Msg of(String key) {
        return new Msg(key, "body-" + key);
    }

    byte[] bytes() {
        return body.getBytes(StandardCharsets.UTF_8);
    }
}
