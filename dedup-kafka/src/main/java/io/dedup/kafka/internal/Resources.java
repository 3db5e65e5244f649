package io.dedup.kafka.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closing what a runner created, on shutdown or after a failed build: each resource is closed even when one before
 * it failed, and a failure is logged rather than thrown, so that it does not hide the exception that caused the
 * shutdown.
 *
 * <p>Thread-safe: stateless.
 */
public final class Resources {
    private static final Logger LOG = LoggerFactory.getLogger(Resources.class);

    private Resources() {}

    /** Closes {@code resource}, logging rather than throwing a failure. */
    public static void closeQuietly(AutoCloseable resource) {
        try {
            resource.close();
        } catch (Exception e) {
            LOG.warn("closing {} failed: {}", resource.getClass().getSimpleName(), e.toString());
        }
    }
}
