package io.dedup.jdbc;

/** JDBC URLs fit for logs: without query parameters (which may hold a password) or user info. */
final class JdbcUrls {
    private JdbcUrls() {}

    /**
     * {@code url} up to its first parameter separator ({@code ?}, {@code ;} or {@code &}: drivers disagree on
     * which starts the parameters), with any {@code user:password@} after the scheme replaced by {@code ***@}; a
     * trailing {@code ?...} says parameters were cut. Stateless; never throws.
     */
    static String redact(String url) {
        if (url == null) {
            return "null";
        }
        int end = url.length();
        for (char c : new char[] {'?', ';', '&'}) {
            int at = url.indexOf(c);
            if (at >= 0 && at < end) {
                end = at;
            }
        }
        String base = url.substring(0, end);
        // User info sits between "//" and the last '@' (a password may contain '@', a host never does).
        int scheme = base.indexOf("//");
        int at = base.lastIndexOf('@');
        if (scheme >= 0 && at > scheme) {
            base = base.substring(0, scheme + 2) + "***@" + base.substring(at + 1);
        }
        return base + (end < url.length() ? "?..." : "");
    }
}
