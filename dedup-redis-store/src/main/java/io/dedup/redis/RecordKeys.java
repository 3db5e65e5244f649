package io.dedup.redis;

import io.dedup.DedupKey;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

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
    /**
     * The UTF-8 start of the names in the namespace named last ({@code prefix + namespace + ':'}): a store mostly
     * serves one namespace, so a batch's names are its ids after the same bytes.
     */
    private volatile Start last;

    /** @param prefix put before every name as it is (not escaped): the builder bounds its length */
    RecordKeys(String prefix) {
        this.prefix = prefix;
    }

    String prefix() {
        return prefix;
    }

    /** The name as Redis sees it: UTF-8. */
    byte[] bytes(DedupKey key) {
        Start start = last;
        if (start == null || !start.namespace().equals(key.namespace())) {
            start = new Start(key.namespace(), start(key.namespace()).getBytes(StandardCharsets.UTF_8));
            last = start;
        }
        String id = key.id();
        int length = id.length();
        byte[] head = start.bytes();
        byte[] name = new byte[head.length + length];
        System.arraycopy(head, 0, name, 0, head.length);
        // ASCII ids (the common case) are copied char by char; the first non-ASCII char falls back to the encoder.
        for (int i = 0; i < length; i++) {
            char c = id.charAt(i);
            if (c >= 0x80) {
                byte[] utf8 = id.getBytes(StandardCharsets.UTF_8);
                name = Arrays.copyOf(name, head.length + utf8.length);
                System.arraycopy(utf8, 0, name, head.length, utf8.length);
                return name;
            }
            name[head.length + i] = (byte) c;
        }
        return name;
    }

    /** The name as text, for operators and messages. */
    String of(DedupKey key) {
        return start(key.namespace()) + key.id();
    }

    /**
     * The prefix, the escaped namespace and ':'. Escaping ':' makes the first unescaped ':' after the prefix the
     * separator, and escaping '%' keeps the escape itself unambiguous.
     */
    private String start(String namespace) {
        StringBuilder name = new StringBuilder(prefix.length() + namespace.length() + 1);
        name.append(prefix);
        for (int i = 0; i < namespace.length(); i++) {
            char c = namespace.charAt(i);
            switch (c) {
                case '%' -> name.append("%25");
                case ':' -> name.append("%3A");
                default -> name.append(c);
            }
        }
        return name.append(':').toString();
    }

    /** A namespace and the UTF-8 bytes its names start with; replaced whole, so readers never see a torn pair. */
    private record Start(String namespace, byte[] bytes) {}
}
