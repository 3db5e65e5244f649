package io.dedup.http.internal;

import java.util.List;

/**
 * Servlet-style URL patterns: {@code /*} (everything), {@code /orders/*} (the path and everything below it),
 * {@code *.do} (an extension) and exact paths. Immutable and thread-safe.
 */
public final class PathPatterns {
    private final List<String> patterns;

    private PathPatterns(List<String> patterns) {
        this.patterns = patterns;
    }

    /** @throws IllegalArgumentException naming {@code parameter} if a pattern is not of the forms above */
    public static PathPatterns of(List<String> patterns, String parameter) {
        for (String pattern : patterns) {
            if (pattern == null) {
                throw new NullPointerException(parameter + " must not contain null");
            }
            // "/..." with at most a trailing "/*", or "*.ext" without a slash: the forms matches() understands
            boolean valid = pattern.startsWith("/")
                            && pattern.indexOf('*') == (pattern.endsWith("/*") ? pattern.length() - 1 : -1)
                    || pattern.startsWith("*.")
                            && pattern.length() > 2
                            && pattern.indexOf('/') < 0
                            && pattern.lastIndexOf('*') == 0;
            if (!valid) {
                throw new IllegalArgumentException(parameter + " has an invalid pattern '" + pattern
                        + "': use /*, /prefix/*, *.extension or an exact path starting with /");
            }
        }
        return new PathPatterns(List.copyOf(patterns));
    }

    /**
     * Whether {@code path} (the request URI without the context path) matches one of the patterns. As in the Servlet
     * specification, {@code /orders/*} matches {@code /orders} itself too, but not {@code /orders-archive}.
     */
    public boolean matches(String path) {
        for (String pattern : patterns) {
            if (pattern.equals("/*")) {
                return true;
            }
            if (pattern.endsWith("/*")) {
                String prefix = pattern.substring(0, pattern.length() - 2);
                if (path.equals(prefix) || path.startsWith(prefix + "/")) {
                    return true;
                }
            } else if (pattern.startsWith("*.")) {
                if (path.endsWith(pattern.substring(1))) {
                    return true;
                }
            } else if (path.equals(pattern)) {
                return true;
            }
        }
        return false;
    }
}
