package io.dedup.redis;

import io.dedup.DedupConfigurationException;
import io.lettuce.core.RedisURI;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/**
 * Parses the URIs a store is configured with and describes them for logs without their passwords. Accepted:
 * {@code redis://[user:password@]host[:port][/database]}, {@code rediss://...} for TLS (query parameter
 * {@code verifyPeer=FULL|CA|NONE}), {@code redis-socket:///path}; for a cluster, several seeds separated by
 * commas. Stateless.
 */
final class RedisUris {
    private RedisUris() {}

    /**
     * The URIs in {@code uris}, a comma-separated list; empty items are skipped.
     *
     * @throws DedupConfigurationException if a URI is malformed or none is given; the message shows a malformed
     *     URI with its password masked
     */
    static List<RedisURI> parse(String uris) {
        List<RedisURI> parsed = new ArrayList<>();
        for (String part : uris.split(",")) {
            String uri = part.trim();
            if (uri.isEmpty()) {
                continue;
            }
            try {
                parsed.add(RedisURI.create(uri));
            } catch (RuntimeException e) {
                // Lettuce's message may echo the URI, password included: leave it out.
                throw new DedupConfigurationException("invalid Redis URI " + mask(uri)
                        + " (expected redis://[user:password@]host[:port][/database] or rediss://...)");
            }
        }
        if (parsed.isEmpty()) {
            throw new DedupConfigurationException("no Redis URI given");
        }
        return parsed;
    }

    /** {@code uri} with any password (or lone user-info, which Redis URIs read as a password) replaced by ***. */
    static String mask(String uri) {
        int scheme = uri.indexOf("://");
        int start = scheme < 0 ? 0 : scheme + 3;
        // The last '@': a password may contain '@', a host never does.
        int at = uri.lastIndexOf('@');
        if (at < start) {
            return uri;
        }
        // user:password keeps the user (useful in logs); a lone part before '@' is the password itself.
        String userInfo = uri.substring(start, at);
        int colon = userInfo.indexOf(':');
        String masked = colon < 0 ? "***" : userInfo.substring(0, colon) + ":***";
        return uri.substring(0, start) + masked + uri.substring(at);
    }

    /** E.g. {@code rediss://app:***@redis.internal:6380/2}; never contains a password. */
    static String describe(RedisURI uri) {
        StringBuilder text = new StringBuilder();
        if (uri.getSocket() != null) {
            return text.append("redis-socket://").append(uri.getSocket()).toString();
        }
        text.append(uri.isSsl() ? "rediss://" : "redis://");
        boolean password = uri.getPassword() != null && uri.getPassword().length > 0;
        if (uri.getUsername() != null) {
            text.append(uri.getUsername()).append(password ? ":***" : "").append('@');
        } else if (password) {
            text.append("***@");
        }
        text.append(uri.getHost()).append(':').append(uri.getPort());
        if (uri.getDatabase() != 0) {
            text.append('/').append(uri.getDatabase());
        }
        return text.toString();
    }

    /** Several URIs (a cluster's seeds) described as by {@link #describe(RedisURI)}, comma-separated. */
    static String describe(List<RedisURI> uris) {
        StringJoiner joined = new StringJoiner(",");
        uris.forEach(uri -> joined.add(describe(uri)));
        return joined.toString();
    }
}
