package io.dedup.redis;

import io.dedup.DedupKey;
import java.nio.charset.StandardCharsets;

/**
 * Names the Redis key of a dedup key's record: {@code prefix + namespace + ':' + id}, with {@code %} and {@code :}
 * in the namespace escaped ({@code %25}, {@code %3A}) so that no two (namespace, id) pairs share a name. Ordinary
 * names stay readable in {@code redis-cli}: {@code dedup:orders-service:order-42}.
 *
 * <p>No hash tag is added: every script touches one record only, so the whole name may decide the cluster slot,
 * which spreads a namespace's keys over all masters. Immutable and thread-safe.
 */
final class RecordKeys {
    private final String prefix;

    RecordKeys(String prefix) {
        this.prefix = prefix;
    }

    String prefix() {
        return prefix;
    }

    /** The name as Redis sees it: UTF-8. */
    byte[] bytes(DedupKey key) {
        return of(key).getBytes(StandardCharsets.UTF_8);
    }

    String of(DedupKey key) {
        String namespace = key.namespace();
        StringBuilder name = new StringBuilder(
                prefix.length() + namespace.length() + key.id().length() + 1);
        name.append(prefix);
        for (int i = 0; i < namespace.length(); i++) {
            char c = namespace.charAt(i);
            switch (c) {
                case '%' -> name.append("%25");
                case ':' -> name.append("%3A");
                default -> name.append(c);
            }
        }
        return name.append(':').append(key.id()).toString();
    }
}
